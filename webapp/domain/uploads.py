"""Checking an uploaded document by its content, not its name (reliability-reference items 21–26).

`inspect(data, filename, max_bytes)` accepts only real PDF, JPEG and PNG files and returns the bytes
to store: images are fully decoded and re-encoded (which drops EXIF/GPS and anything appended),
PDFs must start with %PDF- and end with %%EOF. HTML/script payloads, archives, empty files and
pixel floods are refused with a stable code and a message for the form field.
"""
from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.domain.policy import N_

# ID photos need far fewer pixels; Pillow raises above twice this and warns above it.
MAX_IMAGE_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

EXTENSIONS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png"}
MIME = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIX = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
ARCHIVES = {"zip", "rar", "7z", "gz", "tar", "bz2", "xz", "cab", "ar", "Z", "lz", "docx", "xlsx", "pptx", "odt", "ods", "epub", "jar", "apk"}
# Markers of a page a browser would run; never inside a clean PDF, JPEG or PNG. The tag name must be
# followed by a delimiter so that random compressed bytes practically never match (< 1e-5 per 10 MB).
ACTIVE_MARKERS = re.compile(rb"<(?:html|body|script|iframe|svg|object|embed)[\s>/]|<!doctype\s", re.IGNORECASE)
FILENAME_MAX = 120


class UploadError(ValueError):
    """The file is refused; `message` is N_-marked (translate where shown), `params` fill it."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(code)
        self.code, self.message, self.params = code, message, params


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    type: str          # pdf | jpeg | png
    mime: str
    filename: str      # safe display name with the extension of the real type


def clean_filename(name: str | None, file_type: str) -> str:
    """The user's file name reduced to a harmless display name: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    base = " ".join(base.split()).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .")[:FILENAME_MAX] or "document"
    return f"{stem}.{SUFFIX[file_type]}"


def extension(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def inspect(data: bytes, filename: str | None, max_bytes: int) -> CleanFile:
    """Accept a real PDF/JPEG/PNG (≤ max_bytes) and return what to store; UploadError otherwise."""
    if not data:
        raise UploadError("empty", N_("The file is empty (0 bytes). Choose the document file again."))
    if len(data) > max_bytes:
        raise UploadError("too_large", N_("The file is larger than %(mb)s MB. Scan at a lower resolution or compress the PDF."),
                          mb=max_bytes // (1024 * 1024))
    if extension(filename) not in EXTENSIONS:
        raise UploadError("extension", N_("Only PDF, JPG or PNG files are accepted."))
    if ACTIVE_MARKERS.search(data):
        raise UploadError("active_content", N_("The file contains web-page code (HTML or script), so it is not a clean PDF or image."))
    guess = filetype.guess(data)
    if guess is None:
        raise UploadError("unknown_type", N_("The content is not a PDF, JPG or PNG file, whatever its name says."))
    if guess.extension in ARCHIVES or b"PK\x05\x06" in data[-65_557:]:
        raise UploadError("archive", N_("Archives (zip, rar, Office files) are not accepted. Upload the document itself as PDF, JPG or PNG."))
    kind = {"pdf": "pdf", "jpg": "jpeg", "png": "png"}.get(guess.extension)
    if kind is None:
        raise UploadError("wrong_type", N_("This is a %(found)s file; only PDF, JPG or PNG are accepted."), found=guess.extension.upper())
    clean = _check_pdf(data) if kind == "pdf" else _reencode(data, kind)
    return CleanFile(clean, kind, MIME[kind], clean_filename(filename, kind))


def _check_pdf(data: bytes) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise UploadError("unknown_type", N_("The content is not a PDF, JPG or PNG file, whatever its name says."))
    # The end-of-file marker must close the file: nothing may be appended after it (polyglots).
    if b"%%EOF" not in data[-1024:]:
        raise UploadError("pdf_damaged", N_("The PDF is incomplete or damaged (no end-of-file marker). Export it again and re-upload."))
    return data


def _reencode(data: bytes, kind: str) -> bytes:
    """Decode fully and save again: EXIF/GPS, text chunks and trailing bytes do not survive."""
    fmt = "JPEG" if kind == "jpeg" else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.format != fmt:
                    raise UploadError("unknown_type", N_("The content is not a PDF, JPG or PNG file, whatever its name says."))
                if im.width * im.height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels(im.width, im.height)
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                out = ImageOps.exif_transpose(im)
                if fmt == "JPEG" and out.mode not in ("RGB", "L", "CMYK"):
                    out = out.convert("RGB")
                buf = io.BytesIO()
                if fmt == "JPEG":
                    out.save(buf, "JPEG", quality=90)
                else:
                    out.save(buf, "PNG")
                return buf.getvalue()
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(0, 0) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        raise UploadError("image_damaged", N_("The image cannot be read (damaged or truncated). Take the photo or scan again.")) from exc


def _too_many_pixels(w: int, h: int) -> UploadError:
    return UploadError("too_many_pixels", N_("The image is too large in pixels (at most %(mp)s megapixels). Resize it and upload again."),
                       mp=MAX_IMAGE_PIXELS // 1_000_000)
