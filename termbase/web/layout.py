"""What every page needs: the navigation, template helpers, the help page, cookie security."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, render_template, url_for
from flask_login import current_user

from termbase.auth import Permission, can
from termbase.services import documents as document_service
from termbase.services import overview as overview_service
from termbase.services import search as search_service
from termbase.services import users as user_service
from termbase.text.wording import counted, label, plural
from termbase.web import bp
from termbase.web.helpers import db
from termbase.web.highlight import pieces, snippet


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url: str
    endpoints: tuple[str, ...]
    count: int | None = None


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def _first_endpoint(*names: str) -> str | None:
    return next((name for name in names if has_endpoint(name)), None)


def nav_items() -> list[NavItem]:
    """The main navigation for this viewer; pages of other modules appear once they exist."""
    if "nav_items" in g:
        items: list[NavItem] = g.nav_items
        return items
    items = []
    if can(Permission.READ_APPROVED):
        items.append(NavItem("Lookup", url_for("web.index"), ("web.index",)))
        items.append(NavItem("Paste text", url_for("web.paste"), ("web.paste",)))
        items.append(NavItem("Documents", url_for("web.documents"), ("web.documents", "web.document")))
    if can(Permission.READ_ALL):
        items.append(
            NavItem(
                "Review",
                url_for("web.review"),
                ("web.review", "web.review_variants"),
                search_service.pending_review_count(db()) or None,
            )
        )
    if can(Permission.EDIT):
        items.append(NavItem("Upload", url_for("web.upload"), ("web.upload",)))
        items.append(NavItem("Prepare", url_for("web.prepare"), ("web.prepare", "web.prepared")))
    export = _first_endpoint("web.export", "web.export_page", "web.exports")
    if export and can(Permission.READ_APPROVED):
        items.append(NavItem("Export", url_for(export), (export,)))
    importer = _first_endpoint("web.import_page", "web.import_tbx", "web.imports", "web.import_")
    if importer and can(Permission.EDIT):
        items.append(NavItem("Import", url_for(importer), (importer,)))
    if can(Permission.ADMIN):
        items.append(NavItem("Users", url_for("web.admin_users"), ("web.admin_users", "web.admin_user")))
    g.nav_items = items
    return items


def segment_url(slug: str, position: int, version: int | None = None, is_current: bool = True) -> str:
    """The document view at one segment (the page that holds it, scrolled to it)."""
    offset = document_service.page_offset(position)
    return url_for(
        "web.document",
        slug=slug,
        v=None if is_current else version,
        offset=offset or None,
        _anchor=f"s{position}",
    )


def lookup_examples() -> tuple[overview_service.Example, ...]:
    """Example queries that find entries this viewer may see (none for a visitor who may not look up)."""
    if "lookup_examples" not in g:
        g.lookup_examples = (
            overview_service.lookup_examples(db(), include_unapproved=can(Permission.READ_ALL))
            if can(Permission.READ_APPROVED)
            else ()
        )
    examples: tuple[overview_service.Example, ...] = g.lookup_examples
    return examples


def demo_login() -> tuple[str, str] | None:
    """The demo editor's login for an anonymous visitor, while it still has its published password."""
    if current_user.is_authenticated:
        return None
    return user_service.demo_login(db())


# Globals rather than a context processor: imported macro files see globals, not the context.
for _helper in (nav_items, has_endpoint, pieces, snippet, segment_url, lookup_examples, demo_login):
    bp.add_app_template_global(_helper)
for _name, _filter in (("counted", counted), ("plural", plural), ("label", label)):
    bp.add_app_template_filter(_filter, _name)


@bp.get("/help")
def help() -> Any:
    """Search tips and keyboard shortcuts; public, like the login page."""
    return render_template("help.html")
