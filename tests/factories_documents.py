"""Test files for document uploads and product imports (built in code: no binaries in the repo)."""
from __future__ import annotations

import io
import zipfile

from PIL import Image

from webapp.services.catalogue import _demo_pdf


def pdf(title: str = "Test certificate") -> bytes:
    return _demo_pdf(title)


def png(w: int = 64, h: int = 48, color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_with_gps(w: int = 64, h: int = 48) -> bytes:
    """A JPEG whose EXIF carries a camera model and GPS coordinates (to prove they are stripped)."""
    im = Image.new("RGB", (w, h), (20, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "SpyCam 3000"            # Model
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}  # GPS IFD
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def png_with_html() -> bytes:
    """A real PNG with an HTML/script payload appended (a PNG/HTML polyglot)."""
    return png() + b"<html><script>alert(1)</script></html>"


def zip_archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("licence.pdf", pdf())
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pixel_flood(w: int = 30000, h: int = 30000) -> bytes:
    """A PNG header announcing w×h pixels (900 megapixels by default) with a tiny body."""
    import struct
    import zlib
    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(b"IEND", b"")


def big(n_bytes: int) -> bytes:
    """A PDF-looking file of n_bytes."""
    head = b"%PDF-1.4\n"
    tail = b"\n%%EOF\n"
    return head + b"0" * (n_bytes - len(head) - len(tail)) + tail


def products_csv(rows: list[list], header=("product_id", "sku_id", "title", "category", "price", "cost", "stock", "status"),
                 bom: bool = False) -> bytes:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def multipart(client, url, form, headers=None, csrf=True):
    """POST multipart encoded in memory (werkzeug's test encoder spools big bodies to an unclosed temp file)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart
    data = {k: FileStorage(v[0], filename=v[1]) if isinstance(v, tuple) else v for k, v in form.items()}
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(url, input_stream=stream, content_length=length, csrf=csrf, headers=headers or {},
                       content_type=f"multipart/form-data; boundary={boundary}")
