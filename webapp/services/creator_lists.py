"""Shortlists, tags, notes, saved searches and the creator detail (one transaction per function)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from webapp.domain import creator_lists as dl
from webapp.domain.creator_query import CreatorQuery
from webapp.errors import NotFound, ServiceError
from webapp.extensions import db
from webapp.models import Creator
from webapp.models.base import utcnow
from webapp.models.creator_lists import CreatorTag, SavedSearch, Shortlist, ShortlistEntry
from webapp.services import audit, creator_search
from webapp.services.tenancy import get_scoped, get_scoped_many, scoped


def _err(e: dl.ListError) -> ServiceError:
    return ServiceError(_(e.message), field=e.field)


# --- shortlists -----------------------------------------------------------------------------------

def list_shortlists(org_id: int) -> list[tuple[Shortlist, int]]:
    """Every shortlist of the organisation with its number of creators, by name."""
    counts = dict(db.session.execute(
        select(ShortlistEntry.shortlist_id, func.count()).join(Shortlist).where(Shortlist.organisation_id == org_id)
        .group_by(ShortlistEntry.shortlist_id)).all())
    lists = db.session.execute(scoped(Shortlist, org_id).order_by(Shortlist.name)).scalars().all()
    return [(s, counts.get(s.id, 0)) for s in lists]


def _new_shortlist(org_id: int, user_id: int | None, raw_name: str, field_name: str = "name") -> Shortlist:
    try:
        name = dl.clean_name(raw_name, field_name)
    except dl.ListError as e:
        raise _err(e) from None
    exists = db.session.execute(scoped(Shortlist, org_id).where(Shortlist.name == name)).first()
    if exists:
        raise ServiceError(_("A shortlist with this name already exists."), field=field_name)
    sl = Shortlist(organisation_id=org_id, name=name, created_by_id=user_id)
    db.session.add(sl)
    db.session.flush()
    return sl


def create_shortlist(org_id: int, user_id: int | None, name: str) -> Shortlist:
    """Create an empty shortlist (names are unique in the organisation)."""
    sl = _new_shortlist(org_id, user_id, name)
    db.session.commit()
    return sl


def get_shortlist(org_id: int, shortlist_id: int) -> tuple[Shortlist, list[Creator]]:
    sl = get_scoped(Shortlist, shortlist_id, org_id)
    creators = db.session.execute(
        select(Creator).join(ShortlistEntry, ShortlistEntry.creator_id == Creator.id)
        .where(ShortlistEntry.shortlist_id == sl.id, Creator.organisation_id == org_id)
        .order_by(ShortlistEntry.added_at, ShortlistEntry.id)).scalars().all()
    return sl, list(creators)


def delete_shortlist(org_id: int, shortlist_id: int) -> str:
    sl = get_scoped(Shortlist, shortlist_id, org_id)
    name = sl.name
    db.session.execute(delete(ShortlistEntry).where(ShortlistEntry.shortlist_id == sl.id))
    db.session.delete(sl)
    db.session.commit()
    return name


@dataclass
class AddResult:
    shortlist: Shortlist | None
    added: int = 0
    already: int = 0
    capped: bool = False
    tag: str | None = None
    ids: list[int] = field(default_factory=list)


def _selected_ids(org_id: int, creator_ids: list, query: CreatorQuery | None) -> tuple[list[int], bool]:
    """The chosen creators: explicit ids (all must be ours) or every match of `query` (capped)."""
    if query is not None:
        ids = creator_search.all_ids(org_id, query, dl.SELECT_ALL_LIMIT + 1)
        capped = len(ids) > dl.SELECT_ALL_LIMIT
        return ids[:dl.SELECT_ALL_LIMIT], capped
    creators = get_scoped_many(Creator, list(dict.fromkeys(creator_ids)), org_id)
    return [c.id for c in creators], False


def add_to_shortlist(org_id: int, user_id: int | None, *, shortlist_id=None, new_name: str = "",
                     creator_ids: list | None = None, query: CreatorQuery | None = None) -> AddResult:
    """Add chosen creators (or all matches of a search) to an existing or a new shortlist."""
    if not creator_ids and query is None:
        raise ServiceError(_("Select at least one creator first."), field="creator_id")
    if shortlist_id:
        sl = get_scoped(Shortlist, shortlist_id, org_id)
    elif (new_name or "").strip():
        sl = _new_shortlist(org_id, user_id, new_name, "new_name")
    else:
        raise ServiceError(_("Choose a shortlist or type a name for a new one."), field="shortlist_id")
    ids, capped = _selected_ids(org_id, creator_ids or [], query)
    have = set(db.session.execute(select(ShortlistEntry.creator_id).where(ShortlistEntry.shortlist_id == sl.id)).scalars())
    now = utcnow()
    new = [i for i in ids if i not in have]
    db.session.add_all(ShortlistEntry(shortlist_id=sl.id, creator_id=i, added_at=now) for i in new)
    db.session.commit()
    return AddResult(shortlist=sl, added=len(new), already=len(ids) - len(new), capped=capped, ids=ids)


def remove_from_shortlist(org_id: int, shortlist_id: int, creator_id) -> Shortlist:
    sl = get_scoped(Shortlist, shortlist_id, org_id)
    creator = get_scoped(Creator, creator_id, org_id)
    db.session.execute(delete(ShortlistEntry).where(ShortlistEntry.shortlist_id == sl.id,
                                                    ShortlistEntry.creator_id == creator.id))
    db.session.commit()
    return sl


# --- tags and notes -------------------------------------------------------------------------------

def add_tag(org_id: int, *, tag: str, creator_ids: list | None = None, query: CreatorQuery | None = None) -> AddResult:
    """Tag the chosen creators (or all matches of a search); tagging twice changes nothing."""
    try:
        clean = dl.clean_tag(tag)
    except dl.ListError as e:
        raise _err(e) from None
    if not creator_ids and query is None:
        raise ServiceError(_("Select at least one creator first."), field="creator_id")
    ids, capped = _selected_ids(org_id, creator_ids or [], query)
    have = set(db.session.execute(select(CreatorTag.creator_id).where(
        CreatorTag.organisation_id == org_id, CreatorTag.tag == clean, CreatorTag.creator_id.in_(ids))).scalars()) if ids else set()
    counts = dict(db.session.execute(select(CreatorTag.creator_id, func.count()).where(
        CreatorTag.organisation_id == org_id, CreatorTag.creator_id.in_(ids)).group_by(CreatorTag.creator_id)).all()) if ids else {}
    new = [i for i in ids if i not in have and counts.get(i, 0) < dl.MAX_TAGS_PER_CREATOR]
    if len(ids) == 1 and ids[0] not in have and not new:
        raise ServiceError(_("This creator already has 20 tags; remove one first."), field="tag")
    db.session.add_all(CreatorTag(organisation_id=org_id, creator_id=i, tag=clean) for i in new)
    db.session.commit()
    return AddResult(shortlist=None, added=len(new), already=len(ids) - len(new), capped=capped, tag=clean, ids=ids)


def remove_tag(org_id: int, creator_id, tag: str) -> Creator:
    creator = get_scoped(Creator, creator_id, org_id)
    db.session.execute(delete(CreatorTag).where(CreatorTag.organisation_id == org_id, CreatorTag.creator_id == creator.id,
                                                CreatorTag.tag == str(tag or "").strip().lower()))
    db.session.commit()
    return creator


def update_notes(org_id: int, creator_id, *, notes: str, contact_status: str, actor_id: int | None) -> Creator:
    """Save the seller's notes and contact status for a creator (audited)."""
    creator = get_scoped(Creator, creator_id, org_id)
    try:
        clean_notes = dl.clean_notes(notes)
        status = dl.clean_contact_status(contact_status)
    except dl.ListError as e:
        raise _err(e) from None
    before = {"notes": creator.notes, "contact_status": creator.contact_status}
    creator.notes, creator.contact_status = clean_notes, status
    audit.record("creator.notes", "creator", creator.id, org_id=org_id, actor_id=actor_id, before=before,
                 after={"notes": clean_notes, "contact_status": status})
    db.session.commit()
    return creator


# --- saved searches -------------------------------------------------------------------------------

def list_saved(org_id: int, user_id: int) -> list[SavedSearch]:
    return list(db.session.execute(scoped(SavedSearch, org_id).where(SavedSearch.user_id == user_id)
                                   .order_by(SavedSearch.name)).scalars())


def save_search(org_id: int, user_id: int, name: str, query: CreatorQuery) -> SavedSearch:
    """Save the canonical query string under a name (saving a name again replaces its search)."""
    try:
        clean = dl.clean_name(name)
    except dl.ListError as e:
        raise _err(e) from None
    from urllib.parse import urlencode
    qs = urlencode(query.with_(page=1).to_params())
    saved = db.session.execute(scoped(SavedSearch, org_id).where(SavedSearch.user_id == user_id,
                                                                 SavedSearch.name == clean)).scalar_one_or_none()
    if saved is None:
        saved = SavedSearch(organisation_id=org_id, user_id=user_id, name=clean, query=qs)
        db.session.add(saved)
    else:
        saved.query = qs
    db.session.commit()
    return saved


def get_saved(org_id: int, user_id: int, saved_id) -> SavedSearch:
    saved = get_scoped(SavedSearch, saved_id, org_id)
    if saved.user_id != user_id:
        raise NotFound()
    return saved


def delete_saved(org_id: int, user_id: int, saved_id) -> str:
    saved = get_saved(org_id, user_id, saved_id)
    name = saved.name
    db.session.delete(saved)
    db.session.commit()
    return name


# --- creator detail and similar creators ----------------------------------------------------------

@dataclass
class Detail:
    creator: Creator
    tags: list[str]
    shortlists: list[Shortlist]
    history: list[dict]
    all_shortlists: list[Shortlist]
    reasons: list[tuple[str, dict]] = field(default_factory=list)       # (N_ template, params)
    formulas: dict[str, tuple[str, dict]] = field(default_factory=dict)  # metric → (N_ template, params)
    er_band: tuple[str, str, int] | None = None   # (band code, N_ label, tier benchmark in bp)


def _explained(org_id: int, creator: Creator) -> tuple[list, dict, tuple | None]:
    """Risk reasons (as stored by the import), formula texts and the engagement band from
    domain.creator_metrics (the creator import's metrics module)."""
    try:
        from webapp.domain import creator_metrics
    except ImportError:  # the metrics module arrives with the creator import work
        return [], {}, None
    from webapp.services.settings import policy
    m = creator_metrics.explain(creator, policy(org_id, "creators."))
    messages = getattr(creator_metrics, "REASON_MESSAGES", {})
    reasons = [(messages[r["code"]], r.get("params") or {}) for r in (creator.risk_reasons or [])
               if isinstance(r, dict) and r.get("code") in messages]
    labels = getattr(creator_metrics, "ER_BAND_LABELS", {})
    band = (m.er_band, labels.get(m.er_band, m.er_band), m.er_benchmark_bp) if m.er_band != "unknown" else None
    return reasons, m.formulas, band


def detail(org_id: int, creator_id) -> Detail:
    """A creator with its tags, shortlists and collaboration history (campaign invitations)."""
    creator = get_scoped(Creator, creator_id, org_id)
    tags = creator_search.tags_for(org_id, [creator.id]).get(creator.id, [])
    shortlists = list(db.session.execute(select(Shortlist).join(ShortlistEntry).where(
        Shortlist.organisation_id == org_id, ShortlistEntry.creator_id == creator.id).order_by(Shortlist.name)).scalars())
    all_lists = list(db.session.execute(scoped(Shortlist, org_id).order_by(Shortlist.name)).scalars())
    reasons, formulas, band = _explained(org_id, creator)
    return Detail(creator=creator, tags=tags, shortlists=shortlists, history=_history(org_id, creator.id),
                  all_shortlists=all_lists, reasons=reasons, formulas=formulas, er_band=band)


def _history(org_id: int, creator_id: int) -> list[dict]:
    from webapp.models import Campaign, Invitation
    rows = db.session.execute(
        select(Invitation, Campaign).join(Campaign, Campaign.id == Invitation.campaign_id)
        .where(Invitation.organisation_id == org_id, Invitation.creator_id == creator_id)
        .order_by(Invitation.created_at.desc())).all()
    return [{"campaign_id": c.id, "campaign": c.name, "stage": i.stage, "since": i.created_at,
             "commission_bp": i.commission_bp if i.commission_bp is not None else c.commission_bp} for i, c in rows]


SIMILAR_WINDOW = 300  # nearest candidates by followers on each side


def similar(org_id: int, creator_id, limit: int = 10) -> tuple[Creator, list[tuple[Creator, float]]]:
    """Creators in the same category and region, nearest in log followers, engagement and audience."""
    creator = get_scoped(Creator, creator_id, org_id)
    lo, hi = dl.follower_window(creator.followers)
    rows = creator_search.neighbours(org_id, creator, lo, hi, SIMILAR_WINDOW)
    target = dl.Profile(creator.id, creator.followers, creator.engagement_bp, creator.audience_female_bp,
                        creator.audience_age_18_24_bp, creator.audience_us_bp)
    candidates = [dl.Profile(*row) for row in rows]
    ranked = dl.rank_similar(target, candidates, limit)
    loaded = {c.id: c for c in db.session.execute(select(Creator).where(
        Creator.organisation_id == org_id, Creator.id.in_([p.id for p, _ in ranked]))).scalars()} if ranked else {}
    return creator, [(loaded[p.id], d) for p, d in ranked if p.id in loaded]



# --- the search page ------------------------------------------------------------------------------

@dataclass
class SearchPage:
    result: creator_search.SearchResult
    categories: list[tuple[str, int]]
    regions: list[str]
    shortlists: list[tuple[Shortlist, int]]
    saved: list[SavedSearch]


def search_page(org_id: int, user_id: int, query: CreatorQuery, *, sidebar: bool = True) -> SearchPage:
    """Everything the search page shows; the sidebar lists only when the whole page is drawn."""
    result = creator_search.search(org_id, query)
    meta = creator_search.facets_meta(org_id) if sidebar else {"categories": [], "regions": []}
    return SearchPage(result=result, categories=meta["categories"], regions=meta["regions"],
                      shortlists=list_shortlists(org_id), saved=list_saved(org_id, user_id))


EXPORT_HEAD = ["handle", "display_name", "region", "language", "category", "categories", "followers", "tier",
               "engagement_rate", "gmv_30d", "gpm", "avg_views", "audience_female_pct", "audience_age_18_24_pct",
               "audience_us_pct", "fake_risk", "email", "contact_status", "tags"]


def export_csv(org_id: int, query: CreatorQuery):
    """The search's matches as CSV text chunks (streamed; at most EXPORT_LIMIT rows; formula-safe)."""
    import csv
    import io

    def pct(bp):
        return "" if bp is None else f"{bp / 100:.2f}"

    def money(cents):
        return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_HEAD)
    chunk: list[Creator] = []

    def flush_rows(rows):
        tags = creator_search.tags_for(org_id, [c.id for c in rows])
        for c in rows:
            w.writerow([dl.safe_cell(v) for v in (
                c.handle, c.display_name, c.region, c.language, c.category, c.categories, c.followers, c.tier,
                pct(c.engagement_bp), money(c.gmv_30d_cents), money(c.gpm_cents), c.avg_views,
                pct(c.audience_female_bp), pct(c.audience_age_18_24_bp), pct(c.audience_us_bp), c.fake_risk,
                c.email, c.contact_status, "; ".join(tags.get(c.id, [])))])

    for creator in creator_search.iter_export(org_id, query, dl.EXPORT_LIMIT):
        chunk.append(creator)
        if len(chunk) >= 1000:
            flush_rows(chunk)
            chunk = []
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    flush_rows(chunk)
    yield buf.getvalue()
