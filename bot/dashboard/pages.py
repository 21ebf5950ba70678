"""Rendering the dashboard's pages: the templates, with the values every page needs, in the
dashboard's language, behind the security headers every answer carries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from bot.config import Settings
from bot.core.text.catalog import labels
from bot.dashboard import charts
from bot.dashboard.texts import HTML_LANG, LANGUAGE, dashboard_text, install, titles

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    # No inline script or style, nothing from elsewhere: residents' text can never run here.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class Pages:
    """Renders templates with the values every page needs, in the dashboard's language: the
    templates' words and the names below come from the catalogs (bot/locale/)."""

    def __init__(self, settings: Settings, language: str = LANGUAGE) -> None:
        self.settings = settings
        self.language = language
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        install(self.env, language)
        self.env.filters["local"] = self.local_time
        self.env.globals.update(
            STATUS_TITLES=titles("status", language), CATEGORY_TITLES=titles("category", language),
            PRIORITY_TITLES=titles("priority", language), EVENT_TITLES=labels("event", language),
            DEADLINE_TITLES=labels("deadline", language), RULE_TITLES=labels("rule", language),
            ALERT_TITLES=labels("alert", language),
            html_lang=HTML_LANG[language], COLOURS=charts.COLOURS, company=settings.company_name, heatmap=charts.heatmap,
        )  # fmt: skip

    def text(self, key: str, **values: object) -> str:
        """A text of the catalogs in the dashboard's language (bot/dashboard/texts.py)."""
        return dashboard_text(key, self.language, **values)

    def local_time(self, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return value.astimezone(self.settings.tz).strftime(fmt) if value else ""

    def fragment(self, name: str, **values: Any) -> str:
        """A template rendered on its own, for a part of a page (the queue's rows)."""
        return self.env.get_template(name).render(**values)

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.fragment(name, **values), status_code=status, headers=SECURITY_HEADERS)
