"""The reading strategy: cheap attempts first, costlier ones only when the cheap ones find nothing.

Most scans decode on the first attempt (zxing-cpp on a grey image downscaled to ``FAST_SIDE`` pixels).
Damaged images fall through the list below; work is bounded by its length. A page counts as read when an
attempt finds at least one text with the permit prefix; QR codes of other kinds are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps

from permits.reading.decoders.interface import Decoder

FAST_SIDE = 1400
SMOOTH_UPSCALE_MAX_SIDE = 2400
Transform = Callable[[Image.Image], Image.Image]


def downscale(limit: int) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        longest = max(image.size)
        if longest <= limit:
            return image
        factor = limit / longest
        return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BOX)

    return apply


def identity(image: Image.Image) -> Image.Image:
    return image


def stretch_contrast(image: Image.Image) -> Image.Image:
    return ImageOps.autocontrast(image, cutoff=1)


def binarise(image: Image.Image) -> Image.Image:
    """Otsu's threshold on the contrast-stretched image."""
    stretched = ImageOps.autocontrast(image, cutoff=1)
    histogram = stretched.histogram()
    total = sum(histogram)
    weighted_total = sum(index * count for index, count in enumerate(histogram))
    best_threshold, best_variance, background, weighted_background = 128, -1.0, 0, 0
    for threshold, count in enumerate(histogram):
        background += count
        if background == 0 or background == total:
            continue
        weighted_background += threshold * count
        foreground = total - background
        mean_difference = weighted_background / background - (weighted_total - weighted_background) / foreground
        variance = background * foreground * mean_difference * mean_difference
        if variance > best_variance:
            best_threshold, best_variance = threshold, variance
    return stretched.point(lambda value: 255 if value > best_threshold else 0)


def denoise(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.MedianFilter(3))


def sharpen(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=2))


def rotate(degrees: float) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        return image.rotate(degrees, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)

    return apply


def upscale(image: Image.Image) -> Image.Image:
    return image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)


def smooth_upscale(image: Image.Image) -> Image.Image:
    """Low-resolution scans (about 3 pixels per module): double the size, then smooth the jagged edges that
    binarisation or a photocopier left, so the decoders see modules again. Large images are only smoothed."""
    if max(image.size) <= SMOOTH_UPSCALE_MAX_SIDE:
        image = image.resize((image.width * 2, image.height * 2), Image.Resampling.BICUBIC)
    return image.filter(ImageFilter.GaussianBlur(1.5))


def chain(*steps: Transform) -> Transform:
    def apply(image: Image.Image) -> Image.Image:
        for step in steps:
            image = step(image)
        return image

    return apply


@dataclass(frozen=True)
class Attempt:
    """One try: a transform of the page image and the decoder to run on it."""

    name: str
    transform: Transform
    decoder: str


FAST = downscale(FAST_SIDE)
ATTEMPTS: tuple[Attempt, ...] = (
    Attempt("fast", FAST, "zxing"),
    Attempt("fast", FAST, "zbar"),
    Attempt("full", identity, "zxing"),
    Attempt("full", identity, "zbar"),
    Attempt("contrast", chain(FAST, stretch_contrast), "zxing"),
    Attempt("binarised", chain(FAST, binarise), "zxing"),
    Attempt("binarised", chain(FAST, binarise), "zbar"),
    Attempt("denoised", chain(FAST, denoise, binarise), "zxing"),
    Attempt("denoised", chain(FAST, denoise, binarise), "zbar"),
    Attempt("sharpened", chain(FAST, sharpen), "zxing"),
    Attempt("full-denoised", chain(denoise, binarise), "zxing"),
    Attempt("upscaled", chain(downscale(FAST_SIDE // 2), upscale, binarise), "zbar"),
    *(
        Attempt(f"rotated-{angle}", chain(FAST, rotate(angle)), "zbar")
        for angle in (90, 180, 270, 15, -15, 30, -30, 45)
    ),
    Attempt("smooth-upscaled", smooth_upscale, "zxing"),
    Attempt("smooth-upscaled", smooth_upscale, "zbar"),
)
"""Every attempt, cheapest first. The first one that finds a permit text wins."""


def read_page(image: Image.Image, decoders: dict[str, Decoder], prefix: str) -> tuple[list[str], str | None]:
    """The permit texts on one page image, and the attempt that found them (``decoder/strategy``)."""
    cache: dict[str, Image.Image] = {}
    for attempt in ATTEMPTS:
        decoder = decoders.get(attempt.decoder)
        if decoder is None:
            continue
        prepared = cache.get(attempt.name)
        if prepared is None:
            prepared = cache[attempt.name] = attempt.transform(image)
        texts = [text.strip() for text in decoder.decode(prepared)]
        permits = list(dict.fromkeys(text for text in texts if text.startswith(prefix)))
        if permits:
            return permits, f"{attempt.decoder}/{attempt.name}"
    return [], None
