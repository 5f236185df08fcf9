"""Real-browser tests: Debian's Chromium driven by Playwright, against the live test server.

`browser` (a fixture in tests/conftest.py) skips with a clear reason where Chromium or
Playwright is missing; `.ci/run` installs both, so CI skips nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
]
SCREENSHOTS_DIR = Path(__file__).resolve().parent / "screenshots"

needs_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is missing: install Debian's 'chromium' package"
)


class PageWatch:
    """What a page did that a test should fail on: script errors and requests leaving the service."""

    def __init__(self, page, origin: str):
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda request: self._check(request.url, origin))

    def _check(self, url: str, origin: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if f"{parsed.scheme}://{parsed.netloc}" != origin:
            self.outside.append(url)


def new_page(browser, live_server, *, width: int = 1400, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(20_000)
    return page, PageWatch(page, live_server.url)


def log_in(page, live_server, username: str, password: str = "pw-for-tests", *, next_url: str = "/admin/") -> None:
    """Through the admin's login form, as a person would."""
    _fill_login(page, f"{live_server.url}/admin/login/?next={next_url}", username, password, "input[type=submit]")
    page.wait_for_url(f"**{next_url}")


def log_in_shared(page, live_server, username: str, password: str = "pw-for-tests", *, lands_on: str = "/") -> None:
    """Through the one login page for people outside the admin (/accounts/login/), as a person would."""
    _fill_login(page, f"{live_server.url}/accounts/login/", username, password, "button[type=submit]")
    page.wait_for_url(f"**{lands_on}")


def _fill_login(page, url: str, username: str, password: str, submit: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(submit)


def play_then_jump(page, *, player: str, play_button: str, line, current_class: str) -> float:
    """Play a moment and pause; then click `line`, a transcript line well into the call: the player must
    move to its start and light it up. `player` names the page's JS player object. Returns the line's start."""
    # Functions, not expressions: the Content-Security-Policy forbids evaluating strings.
    page.click(play_button)
    page.wait_for_function(f"() => {player}.audio.currentTime > 0.5")
    page.click(play_button)  # pause
    assert page.evaluate(f"() => {player}.audio.paused")
    start = float(line.get_attribute("data-start"))
    assert start > 10
    line.click()
    page.wait_for_function(f"(start) => Math.abs({player}.audio.currentTime - start) < 0.3", arg=start)
    assert current_class in line.get_attribute("class")
    return start


def screenshot(page, name: str) -> None:
    """Refresh the README's screenshots with UPDATE_SCREENSHOTS=1; otherwise only take them."""
    data = page.screenshot(full_page=False)
    assert data[:4] == b"\x89PNG"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS_DIR.mkdir(exist_ok=True)
        (SCREENSHOTS_DIR / f"{name}.png").write_bytes(data)
