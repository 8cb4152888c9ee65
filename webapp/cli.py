"""Command line (contract §2): `flask --app wsgi <group> <command>`.

Each area keeps its commands in its own section below; commands call the same services as views.
"""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage users.")
demo_cli = AppGroup("demo", help="Demo data.")
creators_cli = AppGroup("creators", help="Creator directory.")
products_cli = AppGroup("products", help="Shop product catalogues.")
jobs_cli = AppGroup("jobs", help="Background jobs.")


def register(app: Flask) -> None:
    for group in (users_cli, demo_cli, creators_cli, products_cli, jobs_cli):
        app.cli.add_command(group)


def print_json(obj: dict) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


# --- users -------------------------------------------------------------------------------------
@users_cli.command("create")
@click.argument("email")
@click.option("--org", "org_name", required=True, help="Organisation name (created if new).")
@click.option("--role", type=click.Choice(["owner", "manager", "reviewer", "viewer"]), default="owner", show_default=True)
@click.option("--password", default=None, help="Password (generated and printed when omitted).")
@click.option("--name", default="", help="Display name.")
def users_create(email, org_name, role, password, name):
    """Create a user (and the organisation if new)."""
    from webapp.errors import ServiceError
    from webapp.services.users import create_user
    try:
        user, pw = create_user(email, org_name, role=role, password=password, name=name)
    except ServiceError as err:
        raise click.ClickException(str(err.message))
    click.echo(f"created {user.email} ({role}) in {org_name}")
    if not password:
        click.echo(f"password: {pw}")


# --- demo --------------------------------------------------------------------------------------
@demo_cli.command("seed")
@click.option("--creators", "n_creators", default=3000, show_default=True, help="How many demo creators.")
@click.option("--orders", "n_orders", default=500, show_default=True, help="How many demo affiliate order lines.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has an organisation.")
def demo_seed(n_creators, n_orders, if_empty):
    """Create the demo organisation, users, shops and data; safe to run twice."""
    from webapp.services.demo import seed
    summary = seed(n_creators=n_creators, n_orders=n_orders, if_empty=if_empty)
    print_json(summary)


# --- jobs --------------------------------------------------------------------------------------
@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def jobs_worker(burst):
    """Run an RQ worker for background jobs (needs REDIS_URL)."""
    from flask import current_app
    from redis import Redis
    from rq import Queue, Worker
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run in-process without a worker.")
    conn = Redis.from_url(url)
    from webapp.jobs import queue_name
    Worker([Queue(queue_name(), connection=conn)], connection=conn).work(burst=burst)


# --- creators (creator directory issue) ---------------------------------------------------------
@creators_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_name", required=True, help="Organisation name.")
def creators_import(path, org_name):
    """Import creators from a CSV or XLSX file (contract §3); the last line is the JSON summary."""
    import time
    from flask_babel import force_locale
    from webapp.errors import ServiceError
    from webapp.services.creator_import import find_org_id, import_path
    with force_locale("en"):
        try:
            org_id = find_org_id(org_name)
            started = time.monotonic()
            result = import_path(path, org_id)
        except ServiceError as err:
            raise click.ClickException(str(err.message))
    secs = time.monotonic() - started
    click.echo(f"imported {result.rows} rows in {secs:.1f} s ({result.rows / max(secs, 1e-9):,.0f} rows/s)", err=True)
    print_json(result.as_dict())



# --- products (onboarding issue) ----------------------------------------------------------------
@products_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--shop", "shop_code", required=True, help="Shop code (shown on the shop's settings page).")
def products_import(path, shop_code):
    """Import a shop's products CSV; the last line is the JSON report (contract §2)."""
    from flask_babel import force_locale
    from webapp.errors import ServiceError
    from webapp.services.catalogue import import_for_shop_code
    with force_locale("en"):
        try:
            result = import_for_shop_code(path, shop_code)
        except ServiceError as err:
            raise click.ClickException(str(err.message))
    if result.rejected:
        click.echo(f"{result.rejected} of {result.rows} rows rejected; reasons in {result.errors}")
    print_json(result.as_dict())


# --- campaigns (campaign builder issue) ---------------------------------------------------------
