"""Creator search query (contract §4): raw query-string values → one valid, frozen CreatorQuery.

Pure: no Flask, no database. Bad values never raise; they become the nearest valid search plus a
Notice the page shows ("followers_min 'abc' is not a number; ignored"). Units: engagement and
audience shares in basis points (3 % → 300), GMV in US cents, fake risk 0–100.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from webapp.domain.policy import N_

REGIONS = ("US", "GB", "ID", "TH", "VN", "MY", "PH", "SG")
TIERS = ("nano", "micro", "mid", "macro", "mega")
SORTS = ("followers", "-followers", "er", "-er", "gmv", "-gmv", "gpm", "-gpm")
DEFAULT_SORT = "-gmv"
PER_PAGE = (25, 50, 100)
MAX_PAGE = 10_000
MAX_CATEGORIES = 10
MAX_Q = 100
MAX_FOLLOWERS = 10**10
MAX_GMV_CENTS = 10**13
ALL_REGIONS = "all"



@dataclass(frozen=True)
class Notice:
    """Something in the query string was not usable; `message` is an N_ string with %(…)s params."""
    param: str
    message: str
    value: str = ""
    used: str = ""


@dataclass(frozen=True)
class CreatorQuery:
    q: str = ""
    region: str | None = None            # None = all regions
    language: str | None = None
    categories: tuple[str, ...] = ()
    tier: str | None = None
    followers_min: int | None = None
    followers_max: int | None = None
    er_min: int | None = None            # bp
    gmv_min: int | None = None           # cents
    female_min: int | None = None        # bp
    age_18_24_min: int | None = None     # bp
    us_min: int | None = None            # bp
    fake_max: int | None = None          # 0–100
    has_email: bool = False
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = 25

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def with_(self, **changes) -> "CreatorQuery":
        """A copy with changes; a changed filter goes back to page 1 unless the page is given."""
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)

    def filter_count(self) -> int:
        """How many filters are set (region and sort do not count)."""
        values = (self.q, self.language, self.categories, self.tier, self.followers_min, self.followers_max,
                  self.er_min, self.gmv_min, self.female_min, self.age_18_24_min, self.us_min, self.fake_max,
                  self.has_email)
        return sum(1 for v in values if v not in (None, "", (), False))

    def to_params(self) -> list[tuple[str, str]]:
        """The canonical query string (region always present so a bookmark keeps its meaning)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out.append(("region", self.region or ALL_REGIONS))
        if self.language:
            out.append(("language", self.language))
        out.extend(("category", c) for c in self.categories)
        if self.tier:
            out.append(("tier", self.tier))
        for name in ("followers_min", "followers_max"):
            v = getattr(self, name)
            if v is not None:
                out.append((name, str(v)))
        for name in ("er_min", "female_min", "age_18_24_min", "us_min"):
            v = getattr(self, name)
            if v is not None:
                out.append((name, bp_text(v)))
        if self.gmv_min is not None:
            out.append(("gmv_min", cents_text(self.gmv_min)))
        if self.fake_max is not None:
            out.append(("fake_max", str(self.fake_max)))
        if self.has_email:
            out.append(("has_email", "1"))
        if self.sort != DEFAULT_SORT:
            out.append(("sort", self.sort))
        if self.per_page != 25:
            out.append(("per_page", str(self.per_page)))
        if self.page != 1:
            out.append(("page", str(self.page)))
        return out


def bp_text(bp: int) -> str:
    """300 → '3', 350 → '3.5', 1234 → '12.34' (the percent a user would type)."""
    d = (Decimal(bp) / 100).normalize()
    return format(d, "f")


def cents_text(cents: int) -> str:
    d = (Decimal(cents) / 100).normalize()
    return format(d, "f")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _has_control(text: str) -> bool:
    return bool(_CONTROL.search(text))


_INT = re.compile(r"\A([0-9]+(?:\.[0-9]+)?)\s*([kKmMwW万]?)\Z")
_SUFFIX = {"": 1, "k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000, "w": 10_000, "W": 10_000, "万": 10_000}
_LANG = re.compile(r"\A[a-z]{2}\Z")


def parse_count(raw: str) -> int | None:
    """'25000', '25,000', '25k', '2.5M', '3万' → an integer ≥ 0; None when not a count."""
    s = raw.strip().replace(",", "").replace("_", "").replace(" ", "")
    m = _INT.match(s)
    if not m:
        return None
    value = Decimal(m.group(1)) * _SUFFIX[m.group(2)]
    return int(value)


def parse_percent_bp(raw: str) -> int | None:
    """'3', '3.5', '3.5%' → bp (two decimals at most are kept); None when not a number."""
    s = raw.strip().rstrip("%").strip()
    if not s or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", s):
        return None
    try:
        return int((Decimal(s) * 100).to_integral_value())
    except InvalidOperation:  # pragma: no cover - the regex rules it out
        return None


def parse_money_cents(raw: str) -> int | None:
    s = raw.strip().lstrip("$").replace(",", "")
    if not s or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", s):
        return None
    return int((Decimal(s) * 100).to_integral_value())


@dataclass
class _Parser:
    args: object  # a MultiDict-like: .get(name) and .getlist(name)
    notices: list[Notice] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = [v for v in self.args.getlist(name)]
        if not values:
            return None
        return str(values[-1])

    def note(self, name: str, message: str, value: object = "", used: object = "") -> None:
        self.notices.append(Notice(name, message, str(value)[:60], str(used)))

    def count(self, name: str) -> int | None:
        raw = self.first(name)
        if raw is None or not raw.strip():
            return None
        v = parse_count(raw)
        if v is None:
            self.note(name, N_("%(param)s: “%(value)s” is not a number, so it was ignored."), raw)
            return None
        if v > MAX_FOLLOWERS:
            self.note(name, N_("%(param)s: “%(value)s” is too large, so it was ignored."), raw)
            return None
        return v

    def percent(self, name: str) -> int | None:
        raw = self.first(name)
        if raw is None or not raw.strip():
            return None
        bp = parse_percent_bp(raw)
        if bp is None:
            self.note(name, N_("%(param)s: “%(value)s” is not a percentage, so it was ignored."), raw)
            return None
        if bp > 10_000:
            self.note(name, N_("%(param)s: “%(value)s” is above 100 %%, so 100 %% was used."), raw)
            return 10_000
        return bp


def parse_query(args, *, default_region: str | None = None, known_categories: frozenset[str] | None = None
                ) -> tuple[CreatorQuery, tuple[Notice, ...]]:
    """Query-string values → (the nearest valid CreatorQuery, notices about what was changed).

    `default_region` applies when `region` is absent (the current shop's region); `region=all` or
    an empty `region` searches every region.
    """
    p = _Parser(args)
    kw: dict = {}

    q = (p.first("q") or "").strip()
    if _has_control(q):
        p.note("q", N_("%(param)s: control characters were removed from the search text."), "")
        q = _CONTROL.sub(" ", q)
    q = " ".join(q.split())
    if len(q) > MAX_Q:
        p.note("q", N_("%(param)s: the search text was cut to %(used)s characters."), "", MAX_Q)
        q = q[:MAX_Q]
    kw["q"] = q

    raw_region = p.first("region")
    if raw_region is None:
        kw["region"] = default_region if default_region in REGIONS else None
    elif raw_region.strip() == "" or raw_region.strip().lower() == ALL_REGIONS:
        kw["region"] = None
    elif raw_region.strip().upper() in REGIONS:
        kw["region"] = raw_region.strip().upper()
    else:
        p.note("region", N_("%(param)s: “%(value)s” is not a supported region, so all regions are shown."), raw_region)
        kw["region"] = None

    raw_lang = (p.first("language") or "").strip().lower()
    if raw_lang:
        if _LANG.match(raw_lang):
            kw["language"] = raw_lang
        else:
            p.note("language", N_("%(param)s: “%(value)s” is not a two-letter language code, so it was ignored."), raw_lang)

    cats: list[str] = []
    for raw in p.args.getlist("category"):
        c = " ".join(str(raw).split())[:80]
        if _has_control(c):
            p.note("category", N_("%(param)s: that is not a category name, so it was ignored."), "")
            continue
        if not c or c in cats:
            continue
        if known_categories is not None and c not in known_categories:
            p.note("category", N_("%(param)s: no creator has the category “%(value)s”; it was ignored."), c)
            continue
        cats.append(c)
    if len(cats) > MAX_CATEGORIES:
        p.note("category", N_("%(param)s: at most %(used)s categories at a time; the rest were ignored."), "", MAX_CATEGORIES)
        cats = cats[:MAX_CATEGORIES]
    kw["categories"] = tuple(cats)

    raw_tier = (p.first("tier") or "").strip().lower()
    if raw_tier:
        if raw_tier in TIERS:
            kw["tier"] = raw_tier
        else:
            p.note("tier", N_("%(param)s: “%(value)s” is not a follower tier, so it was ignored."), raw_tier)

    fmin, fmax = p.count("followers_min"), p.count("followers_max")
    if fmin is not None and fmax is not None and fmin > fmax:
        p.note("followers_max", N_("The follower range was reversed, so the two ends were swapped."), "")
        fmin, fmax = fmax, fmin
    if fmin == 0:
        fmin = None
    kw["followers_min"], kw["followers_max"] = fmin, fmax

    for name in ("er_min", "female_min", "age_18_24_min", "us_min"):
        v = p.percent(name)
        kw[name] = v if v else None

    raw_gmv = p.first("gmv_min")
    if raw_gmv is not None and raw_gmv.strip():
        cents = parse_money_cents(raw_gmv)
        if cents is None:
            p.note("gmv_min", N_("%(param)s: “%(value)s” is not an amount, so it was ignored."), raw_gmv)
        elif cents > MAX_GMV_CENTS:
            p.note("gmv_min", N_("%(param)s: “%(value)s” is too large, so it was ignored."), raw_gmv)
        elif cents > 0:
            kw["gmv_min"] = cents

    raw_fake = p.first("fake_max")
    if raw_fake is not None and raw_fake.strip():
        v = parse_count(raw_fake)
        if v is None or "." in raw_fake:
            p.note("fake_max", N_("%(param)s: “%(value)s” is not a whole number from 0 to 100, so it was ignored."), raw_fake)
        elif v > 100:
            p.note("fake_max", N_("%(param)s: “%(value)s” is above 100, so no limit was applied."), raw_fake)
        else:
            kw["fake_max"] = v

    raw_email = (p.first("has_email") or "").strip().lower()
    kw["has_email"] = raw_email in ("1", "true", "yes", "on", "y")

    raw_sort = (p.first("sort") or "").strip()
    if raw_sort:
        if raw_sort in SORTS:
            kw["sort"] = raw_sort
        else:
            p.note("sort", N_("%(param)s: “%(value)s” is not a sort order, so the default order is used."), raw_sort)

    raw_pp = (p.first("per_page") or "").strip()
    if raw_pp:
        try:
            pp: int | None = int(raw_pp)
        except ValueError:
            pp = None
        if pp not in PER_PAGE:
            nearest = 25 if pp is None else min(PER_PAGE, key=lambda x: (abs(x - pp), x))
            p.note("per_page", N_("%(param)s: “%(value)s” is not one of 25, 50 or 100, so %(used)s was used."),
                   raw_pp, nearest)
            pp = nearest
        kw["per_page"] = pp

    raw_page = (p.first("page") or "").strip()
    if raw_page:
        try:
            page = int(raw_page)
        except ValueError:
            page = None
        if page is None or page < 1:
            p.note("page", N_("%(param)s: “%(value)s” is not a page number, so page 1 is shown."), raw_page)
            page = 1
        elif page > MAX_PAGE:
            p.note("page", N_("%(param)s: “%(value)s” is too large, so page 1 is shown."), raw_page)
            page = 1
        kw["page"] = page

    return CreatorQuery(**kw), tuple(p.notices)


def clamp_page(query: CreatorQuery, total: int) -> CreatorQuery:
    """Past the last page → the last page (the service adds a notice)."""
    last = max(1, -(-total // query.per_page))
    return replace(query, page=last) if query.page > last else query


def last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))
