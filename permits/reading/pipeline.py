"""The reading strategy: which preparations of a page image are tried with which decoder, and in which order.

``ATTEMPTS`` below is the whole strategy, cheapest and most often successful first. An attempt prepares the
page with a chain of ``Step``s and runs one decoder on the result; the first attempt that finds a text with the
permit prefix wins and the page's remaining attempts are skipped. QR codes of other kinds (a URL printed next
to the permit's code) do not count as found.

Work per page is bounded: a page with a side over ``WORK_SIDE`` pixels is reduced before anything else, there
are ``len(ATTEMPTS)`` attempts at most, an image prepared for several attempts is made once, and an attempt is
skipped when its steps changed nothing (e.g. "fast" on a page that is already small) and its decoder has
already seen that image.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from PIL import Image, ImageChops, ImageFilter, ImageOps

from permits.reading.decoders.interface import Decoder

WORK_SIDE = 4096
"""Longest side any attempt sees. The 12-megapixel photos of most phones (4,032 x 3,024 on an iPhone, 4,000 or
4,080 wide on others) are kept whole: halving them loses the permit's QR code whenever the page fills less than
about two thirds of the frame, and even a 1% resampling blurs its smallest modules. Larger images are reduced to
exactly this side, not by a whole factor: a 600-dpi A4 scan to 350 dpi, a 48- or 50-megapixel photo by about
half (a whole factor would take a third of an 8,160-pixel side)."""

FAST_SIDE = 1200
"""The "fast" step reduces the page by a whole factor to a long side of 1,200-2,399 pixels: a 300-dpi A4 scan
is halved (3 pixels per 0.5 mm module), a 200-dpi PDF page is left as it is."""

HALF_SIDE = 3000
"""The "half" step halves pages over 3,000 pixels (12-megapixel photos, 300-dpi scans); a PDF page rendered at
200 dpi (2,339 pixels high) is left as it is, and its "half+upscale" attempt skipped as the same as "upscale"."""

UPSCALE_FACTORS = (1.25, 2.0)
"""The "upscale" step enlarges a page by up to 2x, to at most ``WORK_SIDE``; not at all if that is under 1.25x."""

ADAPTIVE_WINDOW_FRACTION = 60
"""The "adaptive" threshold compares each pixel with the mean of a window 1/60 of the long side in radius."""

ADAPTIVE_OFFSET = 12
"""A pixel is dark in the "adaptive" step when it is this much darker than its neighbourhood's mean."""

KEPT_IMAGES = 4
"""Prepared images kept per page for later attempts that start with the same steps (memory: 4 images at most,
each no larger than the page after its reduction to ``WORK_SIDE``)."""

Transform = Callable[[Image.Image], Image.Image]


@dataclass(frozen=True)
class Step:
    """One named preparation of a grey image; it returns its input itself when it has nothing to do."""

    name: str
    apply: Transform


@dataclass(frozen=True)
class Attempt:
    """The steps applied to the page, in order, then the decoder run on the result."""

    decoder: str
    steps: tuple[Step, ...] = ()

    @property
    def name(self) -> str:
        """``decoder/step+step``, e.g. ``zbar/fast+contrast+otsu``; ``decoder/page`` for the page as it is."""
        return f"{self.decoder}/{'+'.join(step.name for step in self.steps) or 'page'}"


class PageRead(NamedTuple):
    """The permit texts found on a page (in the decoder's order, without repeats), and the attempt that read
    them (``None`` when no attempt found any)."""

    texts: list[str]
    attempt: str | None


def _reduced(image: Image.Image, factor: int) -> Image.Image:
    """``image`` reduced by a whole ``factor`` (each output pixel the mean of factor x factor input pixels)."""
    return image.reduce(factor) if factor >= 2 else image


def _within_work_side(image: Image.Image) -> Image.Image:
    """``image`` reduced, if needed, to a long side of ``WORK_SIDE`` (bilinear, which averages the pixels each
    output pixel covers: no aliasing)."""
    scale = WORK_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR)


def _fast(image: Image.Image) -> Image.Image:
    return _reduced(image, max(image.size) // FAST_SIDE)


def _half(image: Image.Image) -> Image.Image:
    """Halve a page over ``HALF_SIDE`` pixels: with "upscale" after it, a low-pass filter that averages away the
    sensor noise of a slightly blurred 12-megapixel photo, where a Gaussian blur smears the modules."""
    return _reduced(image, 2) if max(image.size) > HALF_SIDE else image


def _contrast(image: Image.Image) -> Image.Image:
    """Stretch the grey levels so the darkest 1% are black and the lightest 1% white (faint or grey prints)."""
    return ImageOps.autocontrast(image, cutoff=1)


def _otsu(image: Image.Image) -> Image.Image:
    """Black and white at the global threshold that best separates the two grey-level populations (Otsu)."""
    histogram = image.histogram()
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))
    best_level, best_spread, dark, weighted_dark = 128, -1.0, 0, 0
    for level, count in enumerate(histogram):
        dark += count
        weighted_dark += level * count
        if dark in (0, total):
            continue
        light = total - dark
        difference = weighted_dark / dark - (weighted_total - weighted_dark) / light
        spread = dark * light * difference * difference
        if spread > best_spread:
            best_level, best_spread = level, spread
    return image.point([0 if level <= best_level else 255 for level in range(256)])


def _adaptive(image: Image.Image) -> Image.Image:
    """Black where a pixel is darker than the mean around it (shadows and uneven light across a photo)."""
    radius = max(4, max(image.size) // ADAPTIVE_WINDOW_FRACTION)
    darker_than_mean = ImageChops.subtract(image.filter(ImageFilter.BoxBlur(radius)), image)
    return darker_than_mean.point([255 if level <= ADAPTIVE_OFFSET else 0 for level in range(256)])


def _median(image: Image.Image) -> Image.Image:
    """Remove salt-and-pepper specks (3x3 median)."""
    return image.filter(ImageFilter.MedianFilter(3))


def _sharpen(image: Image.Image) -> Image.Image:
    """Restore module edges softened by focus blur or motion."""
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=2))


def _upscale(image: Image.Image) -> Image.Image:
    """Enlarge a small page, so that a QR code of 1.5-2.5 pixels per module becomes readable again."""
    least, most = UPSCALE_FACTORS
    factor = min(most, WORK_SIDE / max(image.size))
    if factor < least:
        return image
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)


def _blurred(radius: float) -> Step:
    """Gaussian blur: averages sensor noise and JPEG blocks away (radius 1), and after "upscale" (radius 1.5)
    rounds the jagged, speckled edges of a photocopy or fax so that modules are whole again."""

    def apply(image: Image.Image) -> Image.Image:
        return image.filter(ImageFilter.GaussianBlur(radius))

    return Step(f"blur{radius:g}", apply)


def _rotated(degrees: int) -> Step:
    """Turn the page counter-clockwise: exactly for quarter turns, by interpolation (on white) otherwise."""
    quarter_turns = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    turn = quarter_turns.get(degrees % 360)

    def apply(image: Image.Image) -> Image.Image:
        if turn is not None:
            return image.transpose(turn)
        return image.rotate(degrees, Image.Resampling.BILINEAR, expand=True, fillcolor=255)

    return Step(f"rotate{degrees}", apply)


FAST = Step("fast", _fast)
CONTRAST = Step("contrast", _contrast)
OTSU = Step("otsu", _otsu)
ADAPTIVE = Step("adaptive", _adaptive)
MEDIAN = Step("median", _median)
SHARPEN = Step("sharpen", _sharpen)
UPSCALE = Step("upscale", _upscale)
HALF = Step("half", _half)
BLUR = _blurred(1)
SMOOTH = _blurred(1.5)

ATTEMPTS: tuple[Attempt, ...] = (
    # Clean scans, PDFs and most photos: zxing-cpp on the reduced page, a few milliseconds.
    Attempt("zxing", (FAST,)),
    # Cheap second looks: a 12-megapixel photo halved (a page filling most of the frame, where "fast" took a
    # third), all the pixels, faint prints, and a half turn (the finder search starts elsewhere).
    Attempt("zxing", (HALF,)),
    Attempt("zxing"),
    Attempt("zxing", (FAST, CONTRAST, OTSU)),
    Attempt("zxing", (FAST, _rotated(180))),
    # Noise, JPEG blocks and photocopy specks; then the other decoder.
    Attempt("zxing", (FAST, BLUR)),
    Attempt("zbar", (FAST,)),
    Attempt("zxing", (FAST, MEDIAN)),
    # Small or low-resolution symbols, focus blur, and the same repairs on all the pixels.
    Attempt("zxing", (UPSCALE,)),
    Attempt("zxing", (HALF, UPSCALE)),
    Attempt("zxing", (FAST, SHARPEN)),
    Attempt("zxing", (CONTRAST,)),
    Attempt("zxing", (BLUR,)),
    Attempt("zxing", (MEDIAN, CONTRAST, OTSU)),
    # Shadows and uneven light; zbar on all the pixels and binarised.
    Attempt("zxing", (FAST, CONTRAST, ADAPTIVE)),
    Attempt("zbar"),
    Attempt("zbar", (FAST, CONTRAST, OTSU)),
    # Skewed pages: a new sampling grid; then the costliest, a smoothed enlargement, with both decoders.
    *(Attempt("zxing", (FAST, _rotated(degrees))) for degrees in (15, -15, 90, 270, 45)),
    Attempt("zxing", (UPSCALE, SMOOTH)),
    Attempt("zbar", (UPSCALE, SMOOTH)),
)
"""Every attempt on a page, in the order tried: by cost and by how many pages each read that the earlier ones
did not, measured on the 1,100 degraded scans of ``benchmarks/scan_corpus.py`` and on photographed pages."""


class _Prepared:
    """The images a page's attempts prepared, the most recently used ``KEPT_IMAGES`` kept for the next ones.

    Each is known by the steps that changed it: a step that returns its input (e.g. "fast" on a small page) is
    left out, so that "fast+blur1" and "blur1" on a small page are made, and decoded, once.
    """

    def __init__(self, page: Image.Image) -> None:
        self._page = page
        self._images: OrderedDict[tuple[str, ...], Image.Image] = OrderedDict()

    def image(self, steps: tuple[Step, ...]) -> tuple[Image.Image, tuple[str, ...]]:
        """The page after ``steps``, and the names of the steps that changed it."""
        image = self._page
        made_by: tuple[str, ...] = ()
        for step in steps:
            key = (*made_by, step.name)
            prepared = self._images.get(key)
            if prepared is None:
                prepared = step.apply(image)
                if prepared is image:
                    continue
                self._images[key] = prepared
                if len(self._images) > KEPT_IMAGES:
                    self._images.popitem(last=False)
            else:
                self._images.move_to_end(key)
            image, made_by = prepared, key
        return image, made_by


def read_page(image: Image.Image, decoders: Mapping[str, Decoder], prefix: str) -> PageRead:
    """The permit texts on one grey page image, and the attempt that found them.

    Attempts whose decoder is not in ``decoders`` are skipped (a benchmark can pass a single decoder).
    """
    prepared = _Prepared(_within_work_side(image))
    tried: set[tuple[str, tuple[str, ...]]] = set()
    for attempt in ATTEMPTS:
        decoder = decoders.get(attempt.decoder)
        if decoder is not None:
            prepared_image, effective = prepared.image(attempt.steps)
            if (attempt.decoder, effective) not in tried:
                tried.add((attempt.decoder, effective))
                texts = [text.strip() for text in decoder.decode(prepared_image)]
                permits = list(dict.fromkeys(text for text in texts if text.startswith(prefix)))
                if permits:
                    return PageRead(permits, attempt.name)
    return PageRead([], None)
