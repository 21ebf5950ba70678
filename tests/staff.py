"""A dispatcher or admin using the dashboard over real HTTP, as a browser would."""

from __future__ import annotations

import re
import uuid

import httpx

from bot.core.db import session_scope
from bot.core.tickets.intake import utcnow
from bot.dashboard.auth import add_user

PASSWORD = "correct-horse-battery"
HIDDEN = re.compile(r'name="(csrf|login_token)" value="([^"]+)"')


def new_account(role: str = "dispatcher", password: str = PASSWORD) -> str:
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    with session_scope() as session:
        add_user(session, username, password, role, utcnow())
    return username


def hidden(html: str, name: str) -> str:
    for found, value in HIDDEN.findall(html):
        if found == name:
            return value
    raise AssertionError(f"No hidden {name} field in the page")


class Staff:
    def __init__(self, base_url: str, username: str, password: str = PASSWORD, **headers: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30, headers=headers)
        self.username = username
        self.login_response = self.sign_in(password)
        self.csrf = hidden(self.get("/dashboard/").text, "csrf") if self.login_response.status_code == 303 else ""

    def sign_in(self, password: str) -> httpx.Response:
        page = self.client.get("/dashboard/login")
        form = {"username": self.username, "password": password, "login_token": hidden(page.text, "login_token")}
        return self.client.post("/dashboard/login", data=form)

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.client.get(path, params=params)

    def post(self, path: str, csrf: bool = True, **form: str) -> httpx.Response:
        data = {"csrf": self.csrf, **form} if csrf else form
        return self.client.post(path, data=data)

    def act(self, code: str, step: str, **form: str) -> httpx.Response:
        return self.post(f"/dashboard/tickets/{code}/{step}", **form)
