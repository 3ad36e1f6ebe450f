"""Generates a labelled corpus of degraded scans of permits the tool issues (for benchmarks/bench_scan.py).

Each image is one permit page rendered like a print (150, 200 or 300 dpi) and degraded one way: rotation,
perspective (phone photo), blur, JPEG compression, Gaussian or salt-and-pepper noise, low contrast,
photocopy (binarised and speckled), downscaling, crumple-like warp. ``manifest.csv`` lists each file with its
degradation, parameters and the QR text it holds. Deterministic (seeded); written to benchmarks/out/.

Run: ``.venv/bin/python benchmarks/scan_corpus.py [--count N]`` (default 1,100 images).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageEnhance, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out" / "scan-corpus"
DPIS = (150, 200, 300)
Degrade = Callable[[Image.Image, random.Random], tuple[Image.Image, str]]


def _rotation(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    angle = rng.uniform(0, 360)
    return image.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC), f"angle={angle:.1f}"


def _perspective(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    width, height = image.size
    inset = rng.uniform(0.05, 0.2)
    tilt = rng.uniform(-8, 8)
    corners = (-width * inset, 0, 0, height, width, height, width * (1 + inset), 0)
    photo = image.transform(image.size, Image.Transform.QUAD, corners, Image.Resampling.BICUBIC, fillcolor=190)
    return photo.rotate(tilt, expand=True, fillcolor=170), f"inset={inset:.2f} tilt={tilt:.1f}"


def _blur(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    radius = rng.uniform(0.08, 0.2) * _dpi(image) / 25.4  # 0.08-0.2 mm of blur: an out-of-focus phone photo
    return image.filter(ImageFilter.GaussianBlur(radius)), f"radius={radius:.1f}"


def _jpeg(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    return image, f"quality={rng.randint(20, 60)}"


def _gaussian_noise(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    sigma = rng.uniform(20, 60)
    noise = Image.effect_noise(image.size, sigma)
    return ImageChops.add(image, noise, scale=1.0, offset=-128), f"sigma={sigma:.0f}"


def _salt_and_pepper(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    amount = rng.uniform(0.01, 0.05)
    noise = Image.effect_noise(image.size, 64)
    cut = 128 + 64 * _inverse_tail(amount / 2)
    salt = noise.point(lambda value: 255 if value > cut else 0)
    pepper = noise.point(lambda value: 255 if value < 256 - cut else 0)
    speckled = ImageChops.lighter(image, salt)
    return ImageChops.darker(speckled, ImageChops.invert(pepper)), f"amount={amount:.3f}"


def _inverse_tail(probability: float) -> float:
    """Approximate z with P(N(0,1) > z) = probability (for the salt-and-pepper threshold)."""
    return math.sqrt(-2 * math.log(probability)) - 0.8


def _low_contrast(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    factor = rng.uniform(0.15, 0.35)
    return ImageEnhance.Contrast(image).enhance(factor).point(lambda v: min(255, v + 40)), f"contrast={factor:.2f}"


def _photocopy(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    threshold = rng.randint(110, 170)
    binary = image.filter(ImageFilter.GaussianBlur(0.7)).point(lambda v: 255 if v > threshold else 0)
    specks = Image.effect_noise(image.size, 80).point(lambda v: 0 if v < 12 else 255)
    return ImageChops.darker(binary, specks), f"threshold={threshold}"


def _downscale(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    factor = rng.uniform(90, 140) / _dpi(image)  # what reaches the verifier: 90-140 dpi
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.BILINEAR), f"factor={factor:.2f}"


def _crumple(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    amplitude, cells = rng.uniform(4, 14), 12
    width, height = image.size
    step_x, step_y = width / cells, height / cells
    phase_x, phase_y = rng.uniform(0, 6.3), rng.uniform(0, 6.3)

    def moved(x: float, y: float) -> tuple[float, float]:
        return (x + amplitude * math.sin(y / height * 9 + phase_x), y + amplitude * math.sin(x / width * 7 + phase_y))

    mesh = []
    for row in range(cells):
        for column in range(cells):
            x0, y0 = column * step_x, row * step_y
            x1, y1 = x0 + step_x, y0 + step_y
            box = (round(x0), round(y0), round(x1), round(y1))
            quad = (*moved(x0, y0), *moved(x0, y1), *moved(x1, y1), *moved(x1, y0))
            mesh.append((box, quad))
    warped = image.transform(image.size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR, fillcolor=255)
    return warped, f"amplitude={amplitude:.1f}"


def _dpi(image: Image.Image) -> float:
    """The rendering resolution of an A4 page image (210 mm wide)."""
    return image.width / (210 / 25.4)


def _clean(image: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    return image, "none"


DEGRADATIONS: dict[str, Degrade] = {
    "clean": _clean,
    "rotation": _rotation,
    "perspective": _perspective,
    "blur": _blur,
    "jpeg": _jpeg,
    "gaussian-noise": _gaussian_noise,
    "salt-and-pepper": _salt_and_pepper,
    "low-contrast": _low_contrast,
    "photocopy": _photocopy,
    "downscale": _downscale,
    "crumple": _crumple,
}


def _issue_permits(count: int) -> list[tuple[str, bytes]]:
    """Sign ``count`` variants of the example permits with a throw-away key; returns (QR text, PDF bytes)."""
    import yaml
    from cryptography.hazmat.primitives.asymmetric import ec

    from keys.keyfile import kid_of
    from permits.document.pdf import render_permit_pdf
    from permits.envelope import seal
    from permits.envelope.algorithms import Algorithm
    from permits.model import Permit

    key = ec.derive_private_key(0xBE4C4, ec.SECP256R1())

    class Signer:
        algorithm = Algorithm.ES256
        kid = kid_of(key.public_key())
        private_key = key

    examples = sorted((ROOT / "examples").glob("*.yaml"))
    permits = []
    for index in range(count):
        data = yaml.safe_load(examples[index % len(examples)].read_text())
        data["number"] = f"{data['number']}-{index:03d}"
        permit = Permit.from_mapping(data, today=dt.date(2026, 11, 28))
        text = seal(permit, Signer(), now=dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC))
        permits.append((text, render_permit_pdf(permit, text)))
    return permits


def build(count: int, out: Path = OUT) -> Path:
    """Write ``count`` degraded images and their manifest; returns the manifest's path."""
    import pypdfium2 as pdfium

    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261128)
    permits = _issue_permits(6)
    pages = {
        (index, dpi): pdfium.PdfDocument(pdf)[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        for index, (_text, pdf) in enumerate(permits)
        for dpi in DPIS
    }
    names = list(DEGRADATIONS)
    manifest = out / "manifest.csv"
    with tempfile.NamedTemporaryFile("w", dir=out, delete=False, newline="", suffix=".tmp") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "degradation", "dpi", "parameters", "expected"])
        for number in range(count):
            degradation = names[number % len(names)]
            permit_index, dpi = rng.randrange(len(permits)), rng.choice(DPIS)
            image, parameters = DEGRADATIONS[degradation](pages[(permit_index, dpi)], rng)
            suffix = ".jpg" if degradation in ("jpeg", "perspective") else ".png"
            name = f"{number:04d}-{degradation}{suffix}"
            quality = int(parameters.split("=")[1]) if degradation == "jpeg" else 80
            if suffix == ".jpg":
                image.convert("L").save(out / name, quality=quality)
            else:
                image.convert("L").save(out / name)
            writer.writerow([name, degradation, dpi, parameters, permits[permit_index][0]])
    os.replace(handle.name, manifest)
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1100)
    arguments = parser.parse_args()
    print(f"wrote {build(arguments.count)}")


if __name__ == "__main__":
    main()
