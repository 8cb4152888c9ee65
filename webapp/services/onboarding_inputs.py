"""The one place onboarding reads the documents and catalogue services, translated into the
rule engine's own input types."""
from __future__ import annotations

from collections.abc import Iterable

from webapp.domain.qualification.profile import Catalogue, DocState


def _documents_module():
    from webapp.services import documents
    return documents


def _catalogue_module():
    from webapp.services import catalogue
    return catalogue


def documents_available() -> bool:
    """Whether the documents service (uploads) is present in this build."""
    return _documents_module() is not None


def document(org_id: int, shop_id: int, kind: str) -> DocState | None:
    """The current version of one document kind, or None when none is uploaded."""
    mod = _documents_module()
    if mod is None:
        return None
    info = mod.current(org_id, shop_id, kind)
    if info is None:
        return None
    # valid_until: the last valid day (the expiry date, or the kind's own age limit such as a CPC's 365 days)
    last_day = getattr(info, "valid_until", None) or getattr(info, "expires_on", None)
    return DocState(kind=kind, status=getattr(info, "status", "valid") or "valid",
                    expires_on=last_day, issued_on=getattr(info, "issued_on", None))


def document_info(org_id: int, shop_id: int, kind: str):
    """The documents service's own record (filename, dates) for display, or None."""
    mod = _documents_module()
    return None if mod is None else mod.current(org_id, shop_id, kind)


def expiry_warning_days(org_id: int) -> int:
    """The documents area's 'warn N days before expiry' setting (30 until that area is merged)."""
    from webapp.services.settings import policy
    return int(policy(org_id, "documents.")["expiry_warning_days"])


def documents(org_id: int, shop_id: int, kinds: Iterable[str]) -> dict[str, DocState | None]:
    return {k: document(org_id, shop_id, k) for k in kinds}


def readiness(org_id: int, shop_id: int) -> Catalogue:
    """Catalogue readiness as the rule engine sees it; empty when the catalogue service is not merged yet."""
    mod = _catalogue_module()
    if mod is None:
        return Catalogue(available=False)
    r = mod.readiness(org_id, shop_id)
    return Catalogue(
        available=True,
        products=int(r.products),
        sellable=int(r.sellable),
        prohibited=tuple(tuple(x) for x in r.prohibited),
        restricted_missing=tuple(tuple(x) for x in r.restricted_missing),
    )
