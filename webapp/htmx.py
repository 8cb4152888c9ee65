"""The one place that reads and writes HX-* headers (house style: HTMX fragments)."""
from __future__ import annotations

from flask import Response, get_flashed_messages, make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return bool(getattr(request, "htmx", False))


def wants_fragment() -> bool:
    """A fragment is wanted for an htmx request that is neither boosted nor a history restore."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **ctx) -> Response:
    """Full page normally; only `block` (plus the flash region out-of-band) for an htmx request."""
    if block and wants_fragment():
        html = render_block(template, block, **ctx) + flash_oob()
    else:
        html = render_template(template, **ctx)
    return make_response(html, status)


def flash_oob() -> str:
    """The flash region, swapped out-of-band, when there is something to say."""
    messages = get_flashed_messages(with_categories=True)
    if not messages:
        return ""
    return render_template("_partials/flash.html", messages=messages, oob=True)


def redirect_client(url: str, status: int = 200) -> Response:
    """Tell htmx to navigate (used for expired sessions: 401 + HX-Redirect)."""
    resp = make_response("", status)
    resp.headers["HX-Redirect"] = url
    return resp


def retarget(resp: Response, target: str, swap: str = "innerHTML") -> Response:
    # htmx-flask 0.1.0's reswap list lacks a comma, so the headers are set here directly.
    resp.headers["HX-Retarget"] = target
    resp.headers["HX-Reswap"] = swap
    return resp


def push_url(resp: Response, url: str) -> Response:
    resp.headers["HX-Push-Url"] = url
    return resp


def trigger(resp: Response, event: str) -> Response:
    resp.headers["HX-Trigger"] = event
    return resp


def add_vary(resp: Response) -> Response:
    resp.vary.add("HX-Request")
    return resp
