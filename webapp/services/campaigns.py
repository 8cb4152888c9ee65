"""Campaign builder: create and edit a campaign step by step, rate history, lifecycle, demo data.

Each public function is one transaction (committed at its end). Errors: ServiceError / Invalid
(several field problems) / Conflict (somebody saved first) / RateCutPending (a cut on a running
campaign needs the seller's confirmation) / NotFound (another organisation's or shop's objects).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from webapp.domain import campaigns as rules
from webapp.domain.money import fmt_bp, format_money
from webapp.domain.policy import N_
from webapp.errors import Conflict, NotFound, ServiceError
from webapp.extensions import db
from webapp.i18n import lang
from webapp.models import Campaign, CampaignProduct, CommissionRateChange, Product, Shop
from webapp.models.base import utcnow
from webapp.services import audit, campaign_forecast, campaign_inputs
from webapp.services.settings import policy as load_policy
from webapp.services.tenancy import get_scoped, get_scoped_many, scoped


class Invalid(ServiceError):
    """Several field problems at once (`errors`: ServiceErrors with their fields)."""

    def __init__(self, errors: list[ServiceError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


class RateCutPending(ServiceError):
    """A commission cut on a running campaign: show `notices` and ask the seller to confirm."""

    def __init__(self, notices: list[str]):
        super().__init__(notices[0] if notices else "", None, "rate_cut")
        self.notices = notices


# --- helpers ------------------------------------------------------------------------------------

def _fmt(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if k.endswith("_bp") and isinstance(v, int):
            out[k] = fmt_bp(v, lang())
        elif k.endswith("_cents") and isinstance(v, int):
            out[k] = format_money(v, "USD", lang())
        else:
            out[k] = _(v) if k in ("state", "action") and isinstance(v, str) else v
    return out


def _text(problem: rules.Problem) -> str:
    return _(problem.text, **_fmt(problem.kwargs)) if problem.params else _(problem.text)


def _raise(problems: list[rules.Problem]) -> None:
    if problems:
        raise Invalid([ServiceError(_text(p), field=p.field) for p in problems])


def _policy(org_id: int):
    return load_policy(org_id, "campaigns.")


def _roi_policy(org_id: int):
    return load_policy(org_id, "roi.")


def _conflict() -> Conflict:
    return Conflict(_("Someone else saved changes to this campaign after you opened it. Your changes were not saved: "
                      "reload the page to see the current plan, then make your changes again."), code="conflict")


def _check_version(c: Campaign, version: int | None) -> None:
    if version is None or int(version) != c.version:
        raise _conflict()


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _conflict() from None


def _state(c: Campaign) -> dict:
    return {"name": c.name, "goal": c.goal, "status": c.status, "start_date": c.start_date, "end_date": c.end_date,
            "budget_cents": c.budget_cents, "commission_bp": c.commission_bp,
            "shop_ads_commission_bp": c.shop_ads_commission_bp, "flat_fee_cents": c.flat_fee_cents,
            "mode_targeted": c.mode_targeted, "mode_open": c.mode_open, "target": dict(c.target or {}),
            "kpi": dict(c.kpi or {}), "stop_loss": dict(c.stop_loss or {}), "assumptions": dict(c.assumptions or {}),
            "planned_creators": c.planned_creators, "posts_per_creator": c.posts_per_creator, "notes": c.notes,
            "products": {cp.product_id: cp.commission_bp for cp in c.products}}


# --- reading ------------------------------------------------------------------------------------

def get(org_id: int, campaign_id: object) -> Campaign:
    """The campaign if it belongs to the organisation (404 otherwise)."""
    return get_scoped(Campaign, campaign_id, org_id)


def shop_products(org_id: int, shop_id: int, include_ids: list[int] = ()) -> list[Product]:
    """The shop's active products (plus inactive ones already in the campaign), by title."""
    rows = db.session.execute(scoped(Product, org_id).where(Product.shop_id == shop_id)
                              .order_by(Product.title, Product.id)).scalars().all()
    keep = set(include_ids)
    return [p for p in rows if p.status == "active" or p.id in keep]


@dataclass
class CampaignRow:
    campaign: Campaign
    spend_cents: int
    use_pct: int
    roi: Decimal | None
    roi_frozen: bool


def list_campaigns(org_id: int, shop_id: int) -> list[CampaignRow]:
    """The shop's campaigns with spend against budget and forecast ROI (snapshot, or live for drafts)."""
    rows = db.session.execute(scoped(Campaign, org_id).where(Campaign.shop_id == shop_id)
                              .order_by(Campaign.status == "ended", Campaign.created_at.desc(), Campaign.id.desc())
                              ).scalars().all()
    out = []
    for c in rows:
        spend = campaign_inputs.spend_so_far_cents(org_id, c.id)
        out.append(CampaignRow(c, spend, rules.budget_use(spend, c.budget_cents), *_forecast_roi(c)))
    return out


def _forecast_roi(c: Campaign) -> tuple[Decimal | None, bool]:
    snap = c.forecast_snapshot
    if snap:
        v = (snap.get("summary") or {}).get("roi", {}).get("expected")
        return (None if v is None else Decimal(v)), True
    if c.status != "draft" or not c.products:
        return None, False
    f = campaign_forecast.forecast_for(c)
    return (f.expected.total.roi if f else None), False


def overview_stats(org_id: int, shop_id: int) -> dict:
    """Active campaigns and the budget they commit (launched or paused), and drafts, for the overview."""
    rows = db.session.execute(select(Campaign.status, func.count(), func.coalesce(func.sum(Campaign.budget_cents), 0))
                              .where(Campaign.organisation_id == org_id, Campaign.shop_id == shop_id)
                              .group_by(Campaign.status)).all()
    by = {s: (n, int(b)) for s, n, b in rows}
    active = sum(by.get(s, (0, 0))[0] for s in ("launched", "paused"))
    committed = sum(by.get(s, (0, 0))[1] for s in ("launched", "paused"))
    return {"active": active, "launched": by.get("launched", (0, 0))[0], "committed_cents": committed,
            "drafts": by.get("draft", (0, 0))[0]}


def readiness(org_id: int, shop_id: int):
    """The shop's affiliate readiness (through the adapter)."""
    return campaign_inputs.affiliate_ready(org_id, shop_id)


def launch_check(c: Campaign, today: date) -> list[str]:
    """Why this draft cannot launch yet (empty: it can)."""
    ready = campaign_inputs.affiliate_ready(c.organisation_id, c.shop_id)
    problems = rules.launch_problems(ready=bool(ready.ready), has_products=bool(c.products), start=c.start_date,
                                     end=c.end_date, budget_cents=c.budget_cents, today=today)
    out = [_text(p) for p in problems]
    if not ready.ready:
        out += [str(r) for r in (ready.reasons or [])]
    return out


# --- creating and editing -------------------------------------------------------------------------

def create(org_id: int, shop_id: int, actor_id: int | None, values: dict) -> Campaign:
    """A new draft campaign from the basics step (slug from the name, unique in the organisation)."""
    pol = _policy(org_id)
    shop = get_scoped(Shop, shop_id, org_id)
    c = Campaign(organisation_id=org_id, shop_id=shop.id, name="", slug="", status="draft", commission_bp=1500,
                 target={}, kpi={}, stop_loss={}, assumptions={}, created_by_id=actor_id)
    _raise(_apply_basics(c, values, pol))
    base = rules.slugify(c.name, "campaign")
    taken = set(db.session.execute(select(Campaign.slug).where(Campaign.organisation_id == org_id,
                                                               Campaign.slug.like(f"{base}%"))).scalars())
    c.slug = rules.unique_slug(base, taken)
    db.session.add(c)
    db.session.flush()
    _history_row(c, "shop", None, None, c.commission_bp, date.today(), date.today(), actor_id)
    audit.record("campaign.create", "campaign", c.id, org_id=org_id, actor_id=actor_id, after=_state(c))
    _commit()
    return c


def _apply_basics(c: Campaign, v: dict, pol) -> list[rules.Problem]:
    if "name" in v:
        c.name = (v["name"] or "").strip()[:120]
    if "goal" in v:
        if v["goal"] not in dict(rules.GOALS):
            return [rules.Problem("goal", N_("Choose a goal from the list."))]
        c.goal = v["goal"]
    for k in ("start_date", "end_date", "budget_cents", "mode_targeted", "mode_open"):
        if k in v:
            setattr(c, k, v[k])
    if "notes" in v:
        c.notes = (v["notes"] or "")[:2000]
    problems = rules.check_basics(c.name, c.start_date, c.end_date, v.get("budget_cents", c.budget_cents), pol)
    if not c.mode_targeted and not c.mode_open:
        problems.append(rules.Problem("mode_open", N_("Choose at least one way to work with creators.")))
    return problems


@dataclass
class _RateEdit:
    scope: str
    product_id: int | None
    old_bp: int | None
    new_bp: int | None
    label: str = ""
    cut: bool = False


def _apply_products(c: Campaign, v: dict, pol) -> tuple[list[rules.Problem], list[_RateEdit]]:
    problems: list[rules.Problem] = []
    old_shop, old_ads = c.commission_bp, c.shop_ads_commission_bp
    old_over = {cp.product_id: cp.commission_bp for cp in c.products}
    if "commission_bp" in v:
        problems += rules.check_rate("commission", v["commission_bp"], pol)
        c.commission_bp = v["commission_bp"]
    if "shop_ads_commission_bp" in v:
        problems += rules.check_rate("shop_ads_commission", v["shop_ads_commission_bp"], pol, required=False)
        c.shop_ads_commission_bp = v["shop_ads_commission_bp"]
    if "flat_fee_cents" in v:
        c.flat_fee_cents = max(int(v["flat_fee_cents"] or 0), 0)
    titles: dict[int, str] = {cp.product_id: cp.product.title for cp in c.products}
    if "product_ids" in v:
        ids = list(dict.fromkeys(int(i) for i in v["product_ids"]))
        products = get_scoped_many(Product, ids, c.organisation_id)
        if any(p.shop_id != c.shop_id for p in products):
            raise NotFound()  # another shop's product: the same answer as another organisation's
        titles.update({p.id: p.title for p in products})
        overrides = v.get("overrides") or {}
        for pid, bp in overrides.items():
            problems += rules.check_rate(f"rate_{pid}", bp, pol, required=False)
        keep = set(ids)
        for cp in list(c.products):
            if cp.product_id not in keep:
                c.products.remove(cp)
        have = {cp.product_id: cp for cp in c.products}
        for pid in ids:
            cp = have.get(pid) or CampaignProduct(product_id=pid)
            if pid not in have:
                c.products.append(cp)
            if pid in overrides:
                cp.commission_bp = overrides[pid]
    edits = []
    running = c.status in ("launched", "paused")
    if c.commission_bp != old_shop:
        edits.append(_RateEdit("shop", None, old_shop, c.commission_bp, _("Shop-wide rate")))
    if c.shop_ads_commission_bp != old_ads:
        edits.append(_RateEdit("shop_ads", None, old_ads, c.shop_ads_commission_bp, _("Shop Ads rate")))
    for cp in c.products:
        if cp.product_id in old_over and cp.commission_bp != old_over[cp.product_id]:
            edits.append(_RateEdit("product", cp.product_id, old_over[cp.product_id], cp.commission_bp,
                                   titles.get(cp.product_id, "")))
        elif cp.product_id not in old_over and cp.commission_bp is not None:
            edits.append(_RateEdit("product", cp.product_id, None, cp.commission_bp, titles.get(cp.product_id, "")))
    # A cut, for creators already promoting, is any product whose effective rate goes down.
    for e in edits:
        if e.scope == "shop":
            e.cut = running and c.commission_bp < old_shop
        elif e.scope == "shop_ads":
            e.cut = running and old_ads is not None and (e.new_bp or c.commission_bp) < old_ads
        else:
            before = old_over.get(e.product_id) if old_over.get(e.product_id) is not None else old_shop
            after = e.new_bp if e.new_bp is not None else c.commission_bp
            e.cut = running and e.product_id in old_over and after < before
    return problems, edits


def _apply_creators(c: Campaign, v: dict, pol) -> list[rules.Problem]:
    t = dict(c.target or {})
    for k in ("categories", "followers_min", "followers_max", "er_min_bp"):
        if k in v:
            t[k] = v[k]
    c.target = t
    if v.get("planned_creators") is not None:
        c.planned_creators = int(v["planned_creators"])
    if v.get("posts_per_creator") is not None:
        c.posts_per_creator = int(v["posts_per_creator"])
    return rules.check_follower_range(t.get("followers_min"), t.get("followers_max")) + \
        rules.check_planned(c.planned_creators, pol)


def _cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _apply_samples(c: Campaign, v: dict, pol) -> list[rules.Problem]:
    a = dict(c.assumptions or {})
    if "samples_per_creator" in v:
        _put(a, "samples_per_creator", None if v["samples_per_creator"] is None else str(int(v["samples_per_creator"])))
    if "sample_unit_cost_cents" in v:
        _put(a, "sample_unit_cost", None if v["sample_unit_cost_cents"] is None else _cents_text(v["sample_unit_cost_cents"]))
    if "sample_shipping_cents" in v:
        _put(a, "sample_shipping", None if v["sample_shipping_cents"] is None else _cents_text(v["sample_shipping_cents"]))
    c.assumptions = a
    return []


def _put(d: dict, key: str, value: str | None) -> None:
    if value in (None, ""):
        d.pop(key, None)
    else:
        d[key] = value


def _apply_forecast(c: Campaign, v: dict, pol, strict: bool = True) -> list[rules.Problem]:
    problems: list[rules.Problem] = []
    if "assumptions" in v:
        a = {k: val for k, val in (c.assumptions or {}).items() if k in campaign_forecast.SAMPLE_KEYS}
        typed = {k: val for k, val in v["assumptions"].items()
                 if k not in campaign_forecast.SAMPLE_KEYS and k in campaign_forecast.roi.ASSUMPTION_KEYS}
        defaults = campaign_forecast.roi.assumption_form_values(campaign_forecast.defaults_for(c))
        # Only values that differ from the default are overrides (so later default changes still apply).
        changed = {k: val for k, val in typed.items() if val and val != defaults.get(k)}
        parsed = campaign_forecast.roi.assumptions_from_dict({**a, **changed}, campaign_forecast.defaults_for(c))
        for key, msg in parsed.errors.items():
            problems.append(rules.Problem(f"a_{key}", msg.text, msg.params))
        ok = {k: val for k, val in changed.items() if k not in parsed.errors} if not strict else changed
        c.assumptions = {**a, **ok}
    kpi, stop = dict(c.kpi or {}), dict(c.stop_loss or {})
    for src, dst, key in (("kpi_gmv_cents", kpi, "gmv_cents"), ("kpi_roi_bp", kpi, "roi_bp"),
                          ("stop_max_spend_cents", stop, "max_spend_without_order_cents"),
                          ("stop_min_roi_bp", stop, "min_roi_bp"), ("stop_after_days", stop, "min_roi_after_days")):
        if src in v:
            dst[key] = v[src]
    if stop.get("min_roi_bp") is not None and not stop.get("min_roi_after_days"):
        problems.append(rules.Problem("stop_after_days", N_("Say after how many days the minimum ROI applies.")))
    c.kpi, c.stop_loss = kpi, stop
    return problems


def _apply(c: Campaign, step: str, v: dict, pol, strict: bool = True) -> tuple[list[rules.Problem], list[_RateEdit]]:
    if step == "basics":
        return _apply_basics(c, v, pol), []
    if step == "products":
        return _apply_products(c, v, pol)
    if step == "creators":
        return _apply_creators(c, v, pol), []
    if step == "samples":
        return _apply_samples(c, v, pol), []
    if step == "forecast":
        return _apply_forecast(c, v, pol, strict), []
    return [], []


def _history_row(c: Campaign, scope: str, product_id: int | None, old_bp: int | None, new_bp: int | None,
                 effective: date, existing: date, actor_id: int | None, note: str = "") -> CommissionRateChange:
    row = CommissionRateChange(organisation_id=c.organisation_id, campaign_id=c.id, scope=scope, product_id=product_id,
                               old_bp=old_bp, rate_bp=new_bp, effective_from=effective, existing_from=existing,
                               created_by_id=actor_id, note=note[:300])
    db.session.add(row)
    return row


def _baseline_rates(c: Campaign, today: date, actor_id: int | None) -> None:
    """At launch: record the rates in force, unless the history already has them (rate cuts are
    measured against what creators were promised)."""
    rows = db.session.execute(select(CommissionRateChange.scope, CommissionRateChange.product_id).where(
        CommissionRateChange.campaign_id == c.id)).all()
    have = {(s, p) for s, p in rows}
    note = "rates at launch"
    if ("shop", None) not in have:
        _history_row(c, "shop", None, None, c.commission_bp, today, today, actor_id, note)
    if c.shop_ads_commission_bp is not None and ("shop_ads", None) not in have:
        _history_row(c, "shop_ads", None, None, c.shop_ads_commission_bp, today, today, actor_id, note)
    for cp in c.products:
        if cp.commission_bp is not None and ("product", cp.product_id) not in have:
            _history_row(c, "product", cp.product_id, None, cp.commission_bp, today, today, actor_id, note)


def _notices(edits: list[_RateEdit], today: date, org_id: int) -> list[str]:
    rp = _roi_policy(org_id)
    out = []
    for e in edits:
        if not e.cut:
            continue
        before = e.old_bp if e.old_bp is not None else 0
        after = e.new_bp if e.new_bp is not None else 0
        text = campaign_forecast.rate_notice(before, after, today, rp).message.render(_, lang())
        if e.scope == "shop_ads":
            text += " " + _("TikTok sends creators no notice for Shop Ads rate changes.")
        out.append(_("%(what)s: %(notice)s", what=e.label, notice=text))
    return out


def _record_rates(c: Campaign, edits: list[_RateEdit], today: date, actor_id: int | None) -> None:
    lock = int(_roi_policy(c.organisation_id)["rate_lock_days"])
    for e in edits:
        existing = today + timedelta(days=lock) if e.cut else today
        _history_row(c, e.scope, e.product_id, e.old_bp, e.new_bp, today, existing, actor_id)
        audit.record("campaign.rate_change", "campaign", c.id, org_id=c.organisation_id, actor_id=actor_id,
                     before={"scope": e.scope, "product_id": e.product_id, "rate_bp": e.old_bp},
                     after={"scope": e.scope, "product_id": e.product_id, "rate_bp": e.new_bp,
                            "effective_from": today, "existing_from": existing})


def save_step(org_id: int, campaign_id: object, step: str, values: dict, *, version: int | None,
              actor_id: int | None, today: date, confirm_rate_cut: bool = False) -> Campaign:
    """Save one builder step (version-checked). A cut of a running campaign's rates needs
    `confirm_rate_cut` (else RateCutPending with the notices); every rate change is written to the
    rate history with its effective dates and audited."""
    if step not in rules.STEPS:
        raise NotFound()
    c = get(org_id, campaign_id)
    try:
        if not rules.is_editable(c.status):
            raise ServiceError(_("This campaign has ended and can no longer be changed."))
        _check_version(c, version)
        before = _state(c)
        problems, edits = _apply(c, step, values, _policy(org_id))
        c.updated_at = utcnow()  # always an UPDATE (so the version moves on), flushed once with the changes
        _raise(problems)
        if any(e.cut for e in edits) and not confirm_rate_cut:
            raise RateCutPending(_notices(edits, today, org_id))
        _record_rates(c, edits, today, actor_id)
        b, a = audit.diff(before, _state(c))
        audit.record("campaign.update", "campaign", c.id, org_id=org_id, actor_id=actor_id,
                     before={"step": step, **b}, after={"step": step, **a})
        _commit()
    except (ServiceError, NotFound):
        db.session.rollback()
        raise
    except StaleDataError:  # somebody's UPDATE landed between our read and our write
        db.session.rollback()
        raise _conflict() from None
    return c


def preview(org_id: int, campaign_id: object, step: str, values: dict) -> campaign_forecast.Panel:
    """The forecast panel for unsaved builder values (applied in a transaction that is rolled back)."""
    c = get(org_id, campaign_id)
    try:
        if step in rules.STEPS and rules.is_editable(c.status):
            _apply(c, step, values, _policy(org_id), strict=False)
        return campaign_forecast.panel(c, use_snapshot=False)
    finally:
        db.session.rollback()


def live_panel(org_id: int, campaign_id: object, use_snapshot: bool = True) -> campaign_forecast.Panel:
    """The saved campaign's forecast panel (the frozen snapshot for launched campaigns)."""
    c = get(org_id, campaign_id)
    return campaign_forecast.panel(c, use_snapshot=use_snapshot)


# --- rates: history and simulator ---------------------------------------------------------------

@dataclass
class HistoryRow:
    change: CommissionRateChange
    label: str
    delayed: bool


def rate_history(org_id: int, campaign_id: object) -> list[HistoryRow]:
    c = get(org_id, campaign_id)
    rows = db.session.execute(scoped(CommissionRateChange, org_id).where(CommissionRateChange.campaign_id == c.id)
                              .order_by(CommissionRateChange.created_at.desc(), CommissionRateChange.id.desc())
                              ).scalars().all()
    labels = {"shop": _("Shop-wide rate"), "shop_ads": _("Shop Ads rate")}
    return [HistoryRow(r, labels.get(r.scope) or (r.product.title if r.product else _("Product")),
                       r.existing_from > r.effective_from) for r in rows]


def existing_creator_rate(org_id: int, campaign_id: object, today: date) -> dict:
    """Shop-wide rate now for new creators and for a creator who started before the latest change."""
    c = get(org_id, campaign_id)
    rows = db.session.execute(scoped(CommissionRateChange, org_id).where(
        CommissionRateChange.campaign_id == c.id, CommissionRateChange.scope == "shop")).scalars().all()
    rows = sorted(rows, key=lambda r: (r.effective_from, r.id))
    changes = [campaign_forecast.rate_change(r.effective_from, r.rate_bp) for r in rows if r.rate_bp is not None]
    if not changes:
        return {}
    lock = int(_roi_policy(org_id)["rate_lock_days"])
    # A creator already promoting: started the day before the latest change.
    started = changes[-1].effective_on - timedelta(days=1)
    new = campaign_forecast.effective_rate(changes, None, today, lock)
    existing = campaign_forecast.effective_rate(changes, started, today, lock)
    return {"new_bp": new, "existing_bp": existing if existing is not None else new}


@dataclass
class Simulation:
    results: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)


def simulate(org_id: int, campaign_id: object, values: dict) -> Simulation:
    """Current rates, one shop-wide rate, per-product rates and tiers on the same forecast."""
    c = get(org_id, campaign_id)
    roi = campaign_forecast.roi
    current = roi.per_product_plan({cp.product_id: cp.commission_bp if cp.commission_bp is not None else c.commission_bp
                                    for cp in c.products}, c.commission_bp, label=_("Current rates"))
    current = roi.CommissionPlan(key="current", label=current.label, kind="per_product", bp=current.bp,
                                 product_bp=current.product_bp, keep_creator_overrides=True)
    plans = [current]
    if values.get("shop_wide_bp"):
        plans.append(roi.shop_wide_plan(values["shop_wide_bp"], label=_("Shop-wide %(rate)s", rate=fmt_bp(values["shop_wide_bp"], lang()))))
    if values.get("product_bp"):
        plans.append(roi.per_product_plan(values["product_bp"], c.commission_bp, label=_("Per-product rates")))
    if values.get("tiers"):
        plans.append(roi.tiered_plan(values["tiers"], values.get("tier_basis", "gmv"), label=_("Tiered rates")))
    results = campaign_forecast.compare(c, plans)
    errors = {r.plan.key: [m.render(_, lang()) for m in r.errors.values()] for r in results if r.errors}
    return Simulation(results, errors)


def apply_plan(org_id: int, campaign_id: object, kind: str, values: dict, *, version: int | None,
               actor_id: int | None, today: date, confirm_rate_cut: bool = False) -> Campaign:
    """Save a simulated plan as the campaign's rates: 'shop_wide' (one rate, product overrides cleared)
    or 'per_product' (overrides for the given products). Same rules as the products step."""
    c = get(org_id, campaign_id)
    if kind == "shop_wide":
        if not values.get("shop_wide_bp"):
            raise ServiceError(_("Enter the shop-wide rate to save."), field="shop_wide")
        v = {"commission_bp": values["shop_wide_bp"], "product_ids": [cp.product_id for cp in c.products],
             "overrides": {cp.product_id: None for cp in c.products}}
    elif kind == "per_product":
        pb = values.get("product_bp") or {}
        if not pb:
            raise ServiceError(_("Enter at least one product rate to save."), field="shop_wide")
        unknown = set(pb) - {cp.product_id for cp in c.products}
        if unknown:
            raise NotFound()
        v = {"product_ids": [cp.product_id for cp in c.products], "overrides": dict(pb)}
    else:
        raise ServiceError(_("Only shop-wide and per-product plans can be saved as TikTok commission rates."))
    return save_step(org_id, c.id, "products", v, version=version, actor_id=actor_id, today=today,
                     confirm_rate_cut=confirm_rate_cut)


# --- lifecycle ------------------------------------------------------------------------------------

def transition(org_id: int, campaign_id: object, action: str, *, actor_id: int | None, version: int | None,
               today: date) -> Campaign:
    """Launch / pause / resume / end. Launch needs an affiliate-ready shop and freezes the forecast."""
    c = get(org_id, campaign_id)
    try:
        nxt = rules.next_state(c.status, action)
        if isinstance(nxt, rules.Problem):
            raise ServiceError(_text(nxt), code="transition")
        _check_version(c, version)
        before = {"status": c.status}
        after: dict = {"status": nxt}
        if action == "launch":
            problems = launch_check(c, today)
            if problems:
                raise Invalid([ServiceError(p) for p in problems])
            snap = campaign_forecast.snapshot_for(c)
            _baseline_rates(c, today, actor_id)
            c.forecast_snapshot = snap
            c.launched_at, c.launched_by_id = utcnow(), actor_id
            after["forecast_snapshot"] = snap.get("summary") if snap else None
            after["rates"] = {"shop_bp": c.commission_bp, "shop_ads_bp": c.shop_ads_commission_bp,
                              "products": {cp.product_id: cp.commission_bp for cp in c.products}}
        if action == "end":
            c.ended_at = utcnow()
        c.status = nxt
        c.updated_at = utcnow()
        audit.record(f"campaign.{action}", "campaign", c.id, org_id=org_id, actor_id=actor_id, before=before, after=after)
        _commit()
    except (ServiceError, NotFound):
        db.session.rollback()
        raise
    except StaleDataError:
        db.session.rollback()
        raise _conflict() from None
    return c


# --- demo data ------------------------------------------------------------------------------------

DEMO = (
    {"slug": "spring-glow-launch", "name": "Spring Glow Launch", "goal": "launch", "status": "launched",
     "days": (-20, 40), "budget_cents": 1_500_000, "commission_bp": 1500, "shop_ads_commission_bp": 1000,
     "flat_fee_cents": 5_000, "planned_creators": 12, "posts_per_creator": 2,
     "target": {"categories": ["Beauty & Personal Care"], "followers_min": 10_000, "followers_max": 500_000, "er_min_bp": 300},
     "kpi": {"gmv_cents": 6_000_000, "roi_bp": 5000},
     "stop_loss": {"max_spend_without_order_cents": 200_000, "min_roi_bp": 0, "min_roi_after_days": 21},
     "assumptions": {"samples_per_creator": "1", "sample_shipping": "6.50"}, "n_products": 3, "override": 2000},
    {"slug": "summer-clearance", "name": "Summer Clearance", "goal": "clearance", "status": "draft",
     "days": (30, 75), "budget_cents": 500_000, "commission_bp": 2000, "shop_ads_commission_bp": None,
     "flat_fee_cents": 0, "planned_creators": 20, "posts_per_creator": 1,
     "target": {"categories": [], "followers_min": 1_000, "followers_max": 100_000, "er_min_bp": None},
     "kpi": {"gmv_cents": 2_000_000, "roi_bp": None}, "stop_loss": {}, "assumptions": {"samples_per_creator": "0"},
     "n_products": 4, "override": None},
)


def seed_demo(org, shops) -> None:
    """Demo campaigns for demo-us: a launched 'spring-glow-launch' (forecast frozen) and a draft
    'summer-clearance'. Idempotent; skipped when the shop has no products yet."""
    shop = next((s for s in shops if s.code == "demo-us"), None)
    if shop is None:
        return
    products = db.session.execute(scoped(Product, org.id).where(Product.shop_id == shop.id, Product.status == "active")
                                  .order_by(Product.id)).scalars().all()
    if not products:
        return
    today = date.today()
    for spec in DEMO:
        if db.session.execute(select(Campaign.id).where(Campaign.organisation_id == org.id,
                                                        Campaign.slug == spec["slug"])).first():
            continue
        start, end = (today + timedelta(days=d) for d in spec["days"])
        c = Campaign(organisation_id=org.id, shop_id=shop.id, name=spec["name"], slug=spec["slug"], goal=spec["goal"],
                     status="draft", start_date=start, end_date=end, budget_cents=spec["budget_cents"],
                     commission_bp=spec["commission_bp"], shop_ads_commission_bp=spec["shop_ads_commission_bp"],
                     flat_fee_cents=spec["flat_fee_cents"], mode_targeted=True, mode_open=spec["goal"] == "clearance",
                     target=spec["target"], kpi=spec["kpi"], stop_loss=spec["stop_loss"],
                     assumptions=spec["assumptions"], planned_creators=spec["planned_creators"],
                     posts_per_creator=spec["posts_per_creator"])
        chosen = products[:spec["n_products"]] if spec["status"] == "launched" else products[-spec["n_products"]:]
        for i, p in enumerate(chosen):
            c.products.append(CampaignProduct(product_id=p.id, commission_bp=spec["override"] if i == 0 else None))
        db.session.add(c)
        db.session.flush()
        _history_row(c, "shop", None, None, c.commission_bp, start, start, None, "demo")
        audit.record("campaign.create", "campaign", c.id, org_id=org.id, after={"demo": True, "slug": c.slug})
        if spec["status"] == "launched":
            db.session.flush()
            c.forecast_snapshot = campaign_forecast.snapshot_for(c)
            c.status = "launched"
            c.launched_at = utcnow() - timedelta(days=-spec["days"][0])
            audit.record("campaign.launch", "campaign", c.id, org_id=org.id, before={"status": "draft"},
                         after={"status": "launched", "demo": True})
    db.session.commit()
