"""Per-organisation policy values: registered defaults plus the owner's overrides (audited)."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import webapp.domain as domain_pkg
from webapp.domain.money import fmt_bp
from webapp.domain.policy import (MAX_TEXT, REGISTRY, Policy, PolicyDef, PolicyInputError, PolicyValue, check_bounds,
                                   parse_input, to_input)
from webapp.errors import ServiceError
from webapp.extensions import db
from webapp.models.setting import PolicySetting
from webapp.services import audit

_loaded = False


def load_registry() -> dict[str, PolicyDef]:
    """Import every domain module once so that each area's defaults are registered."""
    global _loaded
    if not _loaded:
        for mod in pkgutil.walk_packages(domain_pkg.__path__, domain_pkg.__name__ + "."):
            importlib.import_module(mod.name)
        _loaded = True
    return REGISTRY


def values(org_id: int, prefix: str = "") -> list[PolicyValue]:
    """Every policy value (optionally of one area), resolved for the organisation."""
    reg = load_registry()
    rows = {r.key: r for r in db.session.execute(
        select(PolicySetting).where(PolicySetting.organisation_id == org_id)).scalars()}
    out = []
    for key in sorted(k for k in reg if k.startswith(prefix)):
        d, row = reg[key], rows.get(key)
        if row is None:
            out.append(PolicyValue(key, d.default, d.source_url, d.verified_on, False))
        else:
            out.append(PolicyValue(key, d.coerce(row.value), row.source_url or d.source_url, row.verified_on, True))
    return out


def policy(org_id: int, prefix: str = "") -> Policy:
    """Typed values keyed by the name after the area prefix ('onboarding.x' → p.x / p['x'])."""
    p = Policy()
    for v in values(org_id, prefix):
        p[v.key[len(prefix):].lstrip(".") if prefix else v.key] = v.value
    return p


def _input_message(err: PolicyInputError, d: PolicyDef):
    if err.code == "range":
        lo, hi = (d.min_value, d.max_value)
        if d.kind == "bp":
            lo, hi = (None if lo is None else fmt_bp(lo)), (None if hi is None else fmt_bp(hi))
        elif d.kind == "cents":
            lo, hi = (None if lo is None else to_input(d, lo)), (None if hi is None else to_input(d, hi))
        if lo is not None and hi is not None:
            return _l("Allowed range: %(lo)s to %(hi)s.", lo=lo, hi=hi)
        if lo is not None:
            return _l("The value must be at least %(lo)s.", lo=lo)
        return _l("The value must be at most %(hi)s.", hi=hi)
    messages = {
        "empty": _l("Enter a value."),
        "digits": _l("Use plain digits 0-9 and a dot."),
        "bool": _l("Choose yes or no."),
        "negative": _l("The value cannot be negative."),
        "too_long": _l("Use at most %(n)d characters.", n=MAX_TEXT),
    }
    if err.code in messages:
        return messages[err.code]
    return {
        "int": _l("Enter a whole number, like 30."),
        "days": _l("Enter a whole number of days, like 30."),
        "bp": _l("Write the percentage as a number like 4.5 (at most two decimals)."),
        "cents": _l("Write the amount as digits with at most two decimals, like 1234.56."),
        "decimal": _l("Enter a number with a dot for decimals, like 1.25."),
    }.get(d.kind, _l("Some values are not valid."))


def safe_url(url: str | None) -> str:
    """Only http(s) links are kept (a javascript: or data: URL never reaches an href)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def set_value(org_id: int, key: str, raw: object, source_url: str, verified_on: date | None, actor_id: int | None) -> PolicyValue:
    """Save an owner's override. Text input is parsed strictly for the definition's kind; bounds are checked."""
    reg = load_registry()
    d = reg.get(key)
    if d is None:
        raise ServiceError(_l("Unknown setting."), field="value")
    source_url = (source_url or "").strip()
    if source_url and not safe_url(source_url):
        raise ServiceError(_l("The source must be a web address starting with https:// or http://."), field="source_url")
    try:
        value = parse_input(d, raw) if isinstance(raw, str) else d.coerce(raw)
        check_bounds(d, value)
    except PolicyInputError as err:
        raise ServiceError(_input_message(err, d), field="value") from None
    row = db.session.execute(select(PolicySetting).where(
        PolicySetting.organisation_id == org_id, PolicySetting.key == key)).scalar_one_or_none()
    stored = str(value) if d.kind == "decimal" else value
    before = None if row is None else {"value": row.value, "source_url": row.source_url, "verified_on": row.verified_on}
    if row is None:
        row = PolicySetting(organisation_id=org_id, key=key, value=stored, source_url=source_url, verified_on=verified_on)
        db.session.add(row)
    else:
        row.value, row.source_url, row.verified_on = stored, source_url, verified_on
    audit.record("policy.set", "policy_setting", key, org_id=org_id, actor_id=actor_id, before=before,
                 after={"value": stored, "source_url": source_url, "verified_on": verified_on})
    db.session.commit()
    return PolicyValue(key, value, source_url, verified_on, True)


@dataclass(frozen=True)
class PolicyRow:
    """One line of the settings page: the definition, the organisation's value and the default."""
    definition: PolicyDef
    value: PolicyValue

    @property
    def key(self) -> str:
        return self.definition.key


def grouped(org_id: int) -> list[tuple[str, list[PolicyRow]]]:
    """Policy values by area (areas in alphabetical order, keys within an area too)."""
    reg = load_registry()
    groups: dict[str, list[PolicyRow]] = {}
    for v in values(org_id):
        d = reg[v.key]
        groups.setdefault(d.area or v.key.split(".", 1)[0], []).append(PolicyRow(d, v))
    return sorted(groups.items())
