"""Policy registry and settings service."""
from datetime import date

from webapp.services.settings import load_registry, safe_url


def test_safe_url_keeps_only_web_addresses():
    assert safe_url("https://seller-us.tiktok.com/x") == "https://seller-us.tiktok.com/x"
    assert safe_url("http://example.com") == "http://example.com"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "//evil.test", "ftp://x", "", None):
        assert safe_url(bad) == ""


def test_every_registered_policy_is_documented():
    """Each area's thresholds carry a label, an area, and (unless a plain preference) a source and date."""
    from webapp.services.settings import load_registry  # imports every domain module
    for key, defn in load_registry().items():
        if key.startswith(("zz_", "t.")):
            continue
        assert defn.label and defn.area and "." in key, key
        assert defn.source_url == "" or safe_url(defn.source_url), key
        assert defn.verified_on is None or defn.verified_on <= date.today(), key
        assert not isinstance(defn.default, float), key
