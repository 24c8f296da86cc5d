"""Uploads checked by decoding, not by their first bytes (part of the input gate).

Images (JPEG, PNG): decoded in full by Pillow within a pixel limit
(`VETBRIDGE_IMAGE_MAX_PIXELS`, 24 megapixels by default: a 6000 × 4000 camera photo; a
"decompression bomb" such as a 36-megapixel PNG of 4 KB is refused before decoding), then
re-encoded: what is stored is the re-encoded image, turned upright by its EXIF orientation,
without EXIF, XMP, ICC comments or text chunks, hence without a GPS position.

PDF: a light structural check (pypdf is a development dependency only): the `%PDF-x.y`
header, a catalog (`/Root` or `/Catalog`), an end-of-file marker `%%EOF` in the last KB, and
no active content (JavaScript, launch actions, embedded files), which a scan or a letter
never needs.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import field_error

DEFAULT_IMAGE_MAX_PIXELS = 24_000_000
PDF_HEADER = re.compile(rb"^%PDF-[12]\.[0-9]")
PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str  # ".jpg" or ".png"
    content_type: str
    width: int
    height: int


def max_pixels() -> int:
    return int(getattr(settings, "VETBRIDGE_IMAGE_MAX_PIXELS", DEFAULT_IMAGE_MAX_PIXELS))


def clean_image(content: bytes, field: str) -> CleanImage:
    """The image decoded and re-encoded without metadata; a field error naming `field` when
    it is not a whole JPEG or PNG within the pixel limit."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    not_image = _("This is not a JPEG or PNG image.")
    limit = max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                fmt = img.format
                width, height = img.size
                if fmt not in ("JPEG", "PNG"):
                    raise field_error(field, not_image)
                if width * height > limit:  # checked from the header, before decoding
                    raise field_error(
                        field,
                        _("The image has too many pixels (%(pixels)s; the limit is %(limit)s).")
                        % {"pixels": width * height, "limit": limit},
                    )
                img.load()  # decodes every pixel: a truncated or forged file fails here
                upright = ImageOps.exif_transpose(img) or img
                out = io.BytesIO()
                if fmt == "JPEG":
                    if upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    upright.save(out, "JPEG", quality=90, optimize=True)
                else:
                    if upright.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
                        upright = upright.convert("RGBA")
                    upright.save(out, "PNG", optimize=True)  # no text, EXIF or ICC chunks
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise field_error(field, not_image) from None
    return CleanImage(
        out.getvalue(),
        ".jpg" if fmt == "JPEG" else ".png",
        "image/jpeg" if fmt == "JPEG" else "image/png",
        upright.width,
        upright.height,
    )


def check_pdf(content: bytes, field: str) -> None:
    """A field error naming `field` unless `content` has the structure of a PDF without
    active content."""
    if not PDF_HEADER.match(content[:8]):
        raise field_error(field, _("This is not a PDF file."))
    if b"%%EOF" not in content[-1024:]:
        raise field_error(field, _("This PDF file is incomplete (no end-of-file marker)."))
    if b"/Root" not in content and b"/Catalog" not in content:
        raise field_error(field, _("This is not a PDF file."))
    if any(marker in content for marker in PDF_ACTIVE):
        raise field_error(
            field, _("This PDF contains scripts or embedded files; scan or print it to PDF again.")
        )
