"""One URL, two renderings: the full page normally, only its block for htmx (with Vary)."""
from tests.conftest import HX


def test_full_page_and_fragment(signed_in):
    full = signed_in.get("/")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers.get("Vary", "")
    frag = signed_in.get("/", headers=HX)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body and "<h1>Overview</h1>" in body
    assert "HX-Request" in frag.headers.get("Vary", "")


def test_history_restore_gets_the_full_page(signed_in):
    resp = signed_in.get("/", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in resp.get_data(as_text=True)


def test_security_headers(signed_in):
    h = signed_in.get("/").headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
    assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"]


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "ok"
