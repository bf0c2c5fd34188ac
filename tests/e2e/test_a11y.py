"""Accessibility and fit, in the real WebView: axe-core on the UI's main states, light and dark,
at 1280 × 800 and 800 × 600, with a screenshot of each (look at them: W3MQ_SHOTS/a11y-*.png).

The states: onboarding, the room list with a room open (replies, a trade card, an item thread),
the thread panel, room info, settings, the new-room dialog, search results. axe runs with the
WCAG 2.x A and AA rules; any critical or serious violation fails, listed with its elements.
At 800 × 600 with the thread open the conversation keeps most of the window (the panel overlays
it), and dialogs keep focus inside and close on Escape.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from eth_account import Account

from conftest import REPO, App, interop, wait_for

AXE = REPO / "ui" / "node_modules" / "axe-core" / "axe.min.js"
FIXTURES = REPO.parent / "shared" / "fixtures"
CARD = json.loads((FIXTURES / "sudo_swap_card.json").read_text())
SIZES = [(1280, 800), (800, 600)]

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  resultTypes: ["violations"],
}).then((r) => done(r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
})))).catch((e) => done({ error: String(e) }));
"""


def txt(el) -> str:
    return el.get_attribute("textContent") or ""


class Checker:
    """Runs axe on the page as it is, for each theme, and keeps what fails."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.failures: list[str] = []
        self.counts: dict[str, int] = {}

    def theme(self, name: str) -> None:
        self.app.js("document.documentElement.dataset.theme = arguments[0]", name)

    def check(self, state: str, themes=("light", "dark")) -> None:
        app = self.app
        if not app.js("return typeof window.axe !== 'undefined'"):
            app.js(AXE.read_text())
            # axe is live: an image without a text alternative (critical) is found, then removed.
            app.js("const i = document.createElement('img'); i.id = 'axe-probe'; i.src = 'data:,'; document.body.append(i)")
            probe = app.d.execute_async_script(RUN_AXE)
            app.js("document.getElementById('axe-probe').remove()")
            assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in probe), probe
        for theme in themes:
            self.theme(theme)
            # Two frames: the theme's colours are applied before axe reads them.
            app.d.execute_async_script("const d = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => d()))")
            size = app.js("return [window.innerWidth, window.innerHeight]")
            app.shot(f"{state}-{theme}-{size[0]}x{size[1]}")
            app.d.set_script_timeout(60)
            res = app.d.execute_async_script(RUN_AXE)
            assert not isinstance(res, dict), res
            bad = [v for v in res if v["impact"] in ("critical", "serious")]
            key = f"{state}/{theme}"
            self.counts[key] = sum(len(v["nodes"]) for v in bad)
            for v in bad:
                nodes = "; ".join(f"{n['target']}" for n in v["nodes"][:6])
                self.failures.append(f"{key}: {v['impact']} {v['id']} ({v['help']}) x{len(v['nodes'])}: {nodes}")
        self.theme("light")


def set_size(app: App, w: int, h: int) -> None:
    app.d.set_window_size(w, h)
    wait_for(f"a {w}-wide window", lambda: abs(app.js("return window.innerWidth") - w) < 40)


@pytest.fixture(scope="module")
def server(own_server):
    """This module's own server (test_desktop.py stops the session's)."""
    return own_server


@pytest.fixture(scope="module")
def api(own_api):
    return own_api


@pytest.fixture(scope="module")
def setup(tmp_path_factory, server, api):
    app = App(tmp_path_factory.mktemp("a11y-data"), server, "a11y")
    peer = interop.login_siwe(api, server, Account.create())
    api.post("/profile", {"nick_name": "Dana Peer"}, token=peer.token)
    paho = interop.Paho(server, peer.user_id, peer.token).connect_ok()
    yield {"app": app, "api": api, "peer": peer, "paho": paho, "server": server}
    app.quit()
    paho.close()


def send(s, room: str, text: str, **fields) -> dict:
    peer, paho = s["peer"], s["paho"]
    m = interop.text_message(peer.user_id, room, text, client_msg_id=uuid.uuid4().hex)
    m.update(fields)
    paho.subscribe_ok(f"chat/{room}")
    paho.publish(f"msg/{peer.user_id}", m)
    return paho.wait_message(f"chat/{room}", lambda b: b.get("client_msg_id") == m["client_msg_id"])


def test_main_states_have_no_serious_violations_at_both_sizes(setup):
    app: App = setup["app"]
    api = setup["api"]
    c = Checker(app)
    set_size(app, 1280, 800)
    app.one("onboarding")
    c.check("onboarding")
    app.click("create-key")
    app.click("sign-in")
    app.one("phrase-words")
    c.check("create-phrase")
    app.click("phrase-later")
    app.type("nickname", "Erin A11y")
    app.click("save-nickname")
    app.one("room-list")
    me = api.post("/search", {"keyword": "Erin A11y"}, token=setup["peer"].token)[0]["user_id"]
    room = api.post("/rooms", {"user_id": [me]}, token=setup["peer"].token)
    original = send(setup, room, "gm! have a look at this llama, @Erin")
    send(setup, room, "a reply to that", reply_to_msg_id=original["id"])
    card = interop.text_message(setup["peer"].user_id, room, "", client_msg_id=uuid.uuid4().hex)
    card.update(msg_type="sudo_swap_card", msg_contents=CARD)
    setup["paho"].publish(f"msg/{setup['peer'].user_id}", card)
    root = send(setup, room, "what about this one?")
    api.post("/threads", {
        "msg_id": root["id"], "is_opensea_item_thread": True,
        "opensea_item_contract_address": "0x9df8aa7c681f33e442a0d57b838555da863504f3",
        "opensea_item_token_id": "1086", "opensea_item_name": "Pixelated Llama #1086",
        "opensea_item_description": "A llama, pixelated.", "opensea_item_image_url": "https://example.com/llama.png",
    }, token=setup["peer"].token)
    send(setup, room, "in the thread", belong_to_thread_id=root["id"])
    item = wait_for("the room", lambda: [e for e in app.q("room-item") if e.get_attribute("data-room-id") == room])
    item[0].click()
    wait_for("the messages", lambda: len(app.q("message")) >= 4)
    wait_for("the trade card", lambda: app.q("swap-card"))

    for w, h in SIZES:
        set_size(app, w, h)
        c.check(f"room-{w}")
        roots = [m for m in app.q("message") if m.get_attribute("data-id") == root["id"]]
        app.js("arguments[0].click()", roots[0].find_element("css selector", '[data-testid="thread-button"]'))
        panel = app.one("thread-panel")
        wait_for("the thread reply", lambda: "in the thread" in txt(panel))
        c.check(f"thread-{w}")
        if w == 800:
            # The panel overlays the conversation instead of squeezing it.
            conv = app.js("return document.querySelector('.center').getBoundingClientRect().width")
            assert conv >= 400, f"the conversation is {conv} px wide at 800 x 600 with the thread open"
            # Over the conversation, the panel closes with its own button (or Escape).
            app.d.find_element("css selector", '[aria-label="Close thread"]').click()
            wait_for("the thread closed", lambda: not app.q("thread-panel"))
        app.click("room-info-button")
        app.one("room-info")
        c.check(f"room-info-{w}")
        app.click("settings-button")
        app.one("settings-panel")
        assert app.js("return !!document.activeElement.closest('[data-testid=\"settings-panel\"]')"), "focus is in the dialog"
        c.check(f"settings-{w}")
        if w == 1280:
            # The account is not backed up: the reminder, and the backup dialog over settings.
            app.one("backup-reminder")
            app.click("open-backup")
            app.one("backup-dialog")
            c.check("backup")
            app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
            wait_for("the backup dialog to close on Escape", lambda: not app.q("backup-dialog"))
            assert app.q("settings-panel"), "Escape closes only the top dialog"
        app.js("document.activeElement.blur()")
        app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        wait_for("settings to close on Escape", lambda: not app.q("settings-panel"))
        app.click("new-room")
        app.one("new-room-dialog")
        c.check(f"new-room-{w}")
        app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        wait_for("new room to close on Escape", lambda: not app.q("new-room-dialog"))
        app.type("search-input", "llama")
        wait_for("search results", lambda: app.q("search-result"))
        c.check(f"search-{w}")
        res = app.js("return document.querySelector('.results').getBoundingClientRect().right")
        side = app.js("return document.querySelector('.sidebar').getBoundingClientRect().right")
        assert res <= side, f"search results reach {res} px, the sidebar ends at {side}"
        app.js("document.querySelector('[data-testid=\"search-input\"]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        wait_for("the results closed", lambda: not app.q("search-result"))

    print(json.dumps(c.counts, indent=1))
    assert not c.failures, "axe: critical or serious violations\n" + "\n".join(c.failures)
