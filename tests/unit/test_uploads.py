"""Upload content checks (pure): only real PDF/JPEG/PNG files pass; everything else gets a reason."""
import io

import pytest
from PIL import Image

from tests import factories_documents as f
from webapp.domain import uploads

MB = 1024 * 1024


@pytest.mark.parametrize("name, data, kind", [
    ("licence.pdf", f.pdf(), "pdf"),
    ("id.png", f.png(), "png"),
    ("id.jpg", f.jpeg_with_gps(), "jpeg"),
    ("ID.JPEG", f.jpeg_with_gps(), "jpeg"),
])
def test_real_files_pass(name, data, kind):
    clean = uploads.inspect(data, name, 10 * MB)
    assert clean.type == kind and clean.mime == uploads.MIME[kind]


@pytest.mark.parametrize("name, data, code", [
    ("empty.pdf", b"", "empty"),
    ("page.pdf", f.html(), "active_content"),                       # HTML renamed .pdf
    ("page.pdf", b"<p>hello</p>", "unknown_type"),                  # HTML without markers: not a PDF by content
    ("notes.pdf", b"just some text", "unknown_type"),
    ("id.png", f.png_with_html(), "active_content"),               # PNG/HTML polyglot
    ("licence.pdf", f.zip_archive(), "archive"),
    ("licence.zip", f.zip_archive(), "extension"),
    ("licence.pdf", f.pdf() + f.zip_archive(), "archive"),          # PDF/zip polyglot
    ("licence.pdf", f.pdf() + b"x" * 2000, "pdf_damaged"),          # data appended after %%EOF
    ("licence.pdf", f.pdf()[:-20], "pdf_damaged"),                 # truncated
    ("id.png", f.pixel_flood(), "too_many_pixels"),
    ("id.png", f.pixel_flood(7000, 7000), "too_many_pixels"),       # 49 MP: above our 40 MP cap
    ("id.png", f.png()[:60], "image_damaged"),
    ("x.html", f.pdf(), "extension"),
    ("app.py", f.pdf(), "extension"),
    ("noext", f.pdf(), "extension"),
    ("id.png", b"GIF89a" + b"\x00" * 40, "wrong_type"),
])
def test_bad_files_are_refused_with_a_reason(name, data, code):
    with pytest.raises(uploads.UploadError) as e:
        uploads.inspect(data, name, 10 * MB)
    assert e.value.code == code
    assert e.value.message % e.value.params if e.value.params else e.value.message


def test_size_limit():
    with pytest.raises(uploads.UploadError) as e:
        uploads.inspect(f.big(11 * MB), "big.pdf", 10 * MB)
    assert e.value.code == "too_large" and e.value.params == {"mb": 10}
    assert uploads.inspect(f.big(2 * MB), "ok.pdf", 10 * MB).type == "pdf"


def test_reencoding_strips_exif_and_gps():
    raw = f.jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    clean = uploads.inspect(raw, "id.jpg", 10 * MB)
    im = Image.open(io.BytesIO(clean.data))
    assert im.format == "JPEG" and not im.getexif() and b"SpyCam" not in clean.data


def test_png_trailing_bytes_do_not_survive():
    data = f.png() + b"TRAILING-PAYLOAD"
    assert b"TRAILING" not in uploads.inspect(data, "a.png", 10 * MB).data


def test_jpeg_is_rotated_per_exif_before_the_tag_is_dropped():
    im = Image.new("RGB", (40, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    out = Image.open(io.BytesIO(uploads.inspect(buf.getvalue(), "r.jpg", 10 * MB).data))
    assert out.size == (20, 40)


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\evil.pdf", "evil.pdf"),
    ("营业执照 2026.pdf", "营业执照 2026.pdf"),
    ("bad\x00name\r\n.pdf", "badname.pdf"),
    ("..", "document.pdf"),
    ("scan.PNG", "scan.png"),
    ("a" * 500 + ".pdf", "a" * 120 + ".pdf"),
])
def test_clean_filename(given, expected):
    kind = "png" if given.lower().endswith(".png") else "pdf"
    assert uploads.clean_filename(given, kind) == expected


def test_display_name_takes_the_real_type():
    assert uploads.inspect(f.png(), "photo.jpg", 10 * MB).filename == "photo.png"


@pytest.mark.parametrize("payload", [b"<HTML>", b"<script src=x>", b"<!DOCTYPE html>", b"<svg onload=alert(1)>",
                                     b"<iframe/src=x>", b"<body\n"])
def test_markup_anywhere_in_an_image_is_refused(payload):
    with pytest.raises(uploads.UploadError) as e:
        uploads.inspect(f.png() + payload, "id.png", 10 * MB)
    assert e.value.code == "active_content"


def test_tag_like_bytes_without_a_delimiter_are_not_markup():
    assert uploads.inspect(f.pdf()[:-7] + b"<htmlx <svgz\n%%EOF\n", "a.pdf", 10 * MB).type == "pdf"
