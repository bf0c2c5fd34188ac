"""The desktop conventions, in the real app: the window's size comes back at the next start, the
zoom keys zoom and are remembered, Copy puts the address on the X clipboard, narrow windows show
one pane at a time.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from eth_account import Account

from conftest import App, interop, wait_for

ZOOM_JS = "return window.innerWidth"


def clipboard() -> str:
    return subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                          timeout=10).stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return tmp_path_factory.mktemp("fit-data")


@pytest.fixture(scope="module")
def server(own_server):
    """This module's own server (test_desktop.py stops the session's)."""
    return own_server


@pytest.fixture(scope="module")
def api(own_api):
    return own_api


def sign_in(app: App) -> None:
    app.one("onboarding")
    app.click("create-key")
    app.click("sign-in")
    app.click("phrase-later")
    app.type("nickname", "Fran Fit")
    app.click("save-nickname")
    app.one("room-list")


def key(app: App, k: str) -> None:
    """A Ctrl+key press on the page, as the keyboard gives it."""
    app.js("window.dispatchEvent(new KeyboardEvent('keydown', {key: arguments[0], ctrlKey: true, bubbles: true}))", k)


def test_zoom_window_size_and_copy_survive_a_restart(data, server):
    app = App(data, server, "fit1")
    try:
        try:
            sign_in(app)
        except BaseException:
            app.shot("FAILED-sign-in")
            raise
        app.d.set_window_size(1000, 700)
        wait_for("the 1000-wide window", lambda: abs(app.js(ZOOM_JS) - 1000) < 40)
        css_w = app.js(ZOOM_JS)
        key(app, "=")
        # At 110% the page is 1/1.1 as many CSS pixels wide.
        wait_for("zoom in", lambda: abs(app.js(ZOOM_JS) - css_w / 1.1) < 6)
        key(app, "=")
        wait_for("zoom in again", lambda: abs(app.js(ZOOM_JS) - css_w / 1.25) < 6)
        key(app, "-")
        wait_for("zoom out", lambda: abs(app.js(ZOOM_JS) - css_w / 1.1) < 6)
        app.shot("01-zoom-110")
        # Copy the address from Settings: the X clipboard has it.
        # (WebKitWebDriver's pointer clicks miss under page zoom: clicks go through the DOM.)
        app.js("arguments[0].click()", app.one("settings-button"))
        address = app.one("account-address").get_attribute("textContent").strip()
        assert address.startswith("0x") and len(address) == 42
        app.js("arguments[0].click()", app.one("copy-address"))
        wait_for("the address on the clipboard", lambda: clipboard().strip() == address)
        wait_for("the confirmation", lambda: app.q("notice"))
    finally:
        app.quit()

    app = App(data, server, "fit2")
    try:
        app.one("room-list")
        size = app.d.get_window_size()
        assert abs(size["width"] - 1000) < 40 and abs(size["height"] - 700) < 60, size
        wait_for("the zoom restored", lambda: abs(app.js(ZOOM_JS) - css_w / 1.1) < 6)
        key(app, "0")
        wait_for("zoom reset", lambda: abs(app.js(ZOOM_JS) - css_w) < 6)
    finally:
        app.quit()


def test_a_narrow_window_shows_one_pane_at_a_time(data, server, api):
    app = App(data, server, "fit3")
    try:
        wait_for("the first screen", lambda: app.q("room-list") or app.q("onboarding"))
        if app.q("onboarding"):
            sign_in(app)
        app.d.set_window_size(600, 700)
        wait_for("the 600-wide window", lambda: app.js(ZOOM_JS) < 640)
        # No room open: the room list fills the window.
        w = app.js("return document.querySelector('.sidebar').getBoundingClientRect().width")
        assert w > 500, w
        app.shot("02-narrow-list")
        # A room: it takes the whole window, with a way back.
        peer = interop.login_siwe(api, server, Account.create())
        me = api.post("/search", {"keyword": "Fran Fit"}, token=peer.token)[0]["user_id"]
        room = api.post("/rooms", {"user_id": [me]}, token=peer.token)
        item = wait_for("the new room", lambda: [e for e in app.q("room-item") if e.get_attribute("data-room-id") == room])
        item[0].click()
        wait_for("the sidebar hidden", lambda: not app.js("return document.querySelector('.sidebar')?.offsetParent !== null"))
        w = app.js("return document.querySelector('.center').getBoundingClientRect().width")
        assert w > 500, w
        app.shot("03-narrow-room")
        app.click("back-to-rooms")
        wait_for("the room list back", lambda: app.js("return document.querySelector('.sidebar')?.offsetParent !== null"))
    finally:
        app.quit()


def test_the_log_file_has_the_session_and_no_key(tmp_path, server):
    """An imported key signs in; the log file in <data dir>/logs has the app's lines (the
    WebView's console too) and neither the key nor a token."""
    key = Account.create().key.hex().removeprefix("0x")
    app = App(tmp_path, server, "fit-log")
    try:
        app.one("onboarding")
        app.click("import-key")
        app.click("restore-key-tab")
        app.type("private-key", key)
        app.click("sign-in")
        app.type("nickname", "Gil Log")
        app.click("save-nickname")
        app.one("room-list")
        app.js("console.error('e2e console line')")
        logs = tmp_path / "logs"
        text = lambda: "".join(p.read_text(errors="replace") for p in logs.glob("w3mq-desktop*.log"))
        wait_for("the console line in the log file", lambda: "e2e console line" in text())
        assert "startup" in text()
        body = text().lower()
        assert key.lower() not in body, "the private key is in the log"
        assert "eyj" not in body, "a JWT is in the log"
    finally:
        app.quit()
