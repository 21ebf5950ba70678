"""Headless Chromium from Debian's packages, driven by Playwright (which downloads no browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("HOTLINE_TEST_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which this closed
# network refuses; --no-sandbox because CI runs as root.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"No Chromium at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def sign_in(page, base_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Fill in the dashboard's sign-in form the way a person does."""
    if "/dashboard/login" not in page.url:
        page.goto(f"{base_url}/dashboard/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
