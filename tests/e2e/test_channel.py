"""End-to-end: a public channel read in the real app without an account (PROTOCOL.md section 3).

A Python peer creates a collection room over REST and writes over Paho (MQTT); the app, never
signed in, opens the room's channel by its slug from the onboarding screen, shows the history and
a message said live, and drops the message the room's creator (its moderator) deletes on the
channel socket. Screenshots go to W3MQ_SHOTS (target/e2e-shots).
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from eth_account import Account
from websockets.sync.client import connect

from conftest import App, interop, wait_for

HOSTILE = '<img src=x onerror="window.__pwned=1"><b>bold</b>'


def call(ws, id_: int, method: str, *arguments):
    ws.send(json.dumps({"type": "method", "method": method, "arguments": list(arguments), "id": id_}))
    while True:
        p = json.loads(ws.recv(timeout=10))
        if p.get("type") == "reply" and p.get("id") == id_:
            assert p["error"] is None, (method, p)
            return p["data"]


def delete_as_moderator(server, owner, room_id: str, message_id: str) -> None:
    """The room's creator deletes a message on the channel socket (seed 002's deleteMessage)."""
    info = requests.get(f"{server.http_url}/api/v1/chats/{room_id}",
                        headers={"Authorization": f"Bearer {owner.token}"}, timeout=10).json()
    with connect(info["endpoints"][0], open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["event"] == "WelcomeEvent"
        assert call(ws, 0, "auth", room_id, owner.user_id, info["authkey"])["roles"] == ["Owner"]
        call(ws, 1, "deleteMessage", message_id)


def txt(el) -> str:
    return el.get_attribute("textContent") or ""


class Collection:
    """A collection room created over REST by its owner (the channel's moderator), who writes over Paho."""

    def __init__(self, server) -> None:
        api = interop.Api(server.http_url)
        self.account = Account.create()
        self.owner = interop.login_siwe(api, server, self.account)
        self.slug = f"e2e-apes-{uuid.uuid4().hex[:8]}"
        self.room_id = api.post("/rooms", {"is_opensea_coll": True, "opensea_coll_slug": self.slug,
                                           "opensea_coll_name": "E2E Apes"}, token=self.owner.token)
        self.mqtt = interop.Paho(server, self.owner.user_id, self.owner.token).connect_ok()
        self.mqtt.subscribe_ok(f"chat/{self.room_id}")

    def send(self, text: str) -> dict:
        m = interop.text_message(self.owner.user_id, self.room_id, text, client_msg_id=uuid.uuid4().hex)
        self.mqtt.publish(f"msg/{self.owner.user_id}", m)
        return self.mqtt.wait_message(f"chat/{self.room_id}", lambda b: b.get("client_msg_id") == m["client_msg_id"])


@pytest.fixture(scope="module")
def coll(own_server):
    c = Collection(own_server)
    yield c
    c.mqtt.close()


def test_an_anonymous_app_reads_a_channel_live_and_deletions_disappear(own_server, coll, tmp_path):
    server = own_server
    owner, slug, room_id, send = coll.owner, coll.slug, coll.room_id, coll.send
    send(f"history first https://opensea.io/collection/{slug} {HOSTILE}")
    app = App(tmp_path / "anon", server, "channel")
    try:
        app.one("onboarding")
        app.type("channel-id-input", slug)
        app.shot("00-onboarding")
        app.click("channel-open")
        view = app.one("channel-view")
        msgs = lambda: app.q("channel-message")  # noqa: E731
        wait_for("the history", lambda: any("history first" in txt(m) for m in msgs()))
        assert view.get_attribute("data-room-id") == room_id
        wait_for("the channel online", lambda: view.get_attribute("data-online") == "true")
        # Text parts, never HTML; the URL is a link.
        assert app.js("return window.__pwned === undefined") is True
        assert app.js("return document.querySelectorAll('[data-testid=channel-view] b, [onerror]').length") == 0
        hrefs = app.js("return [...document.querySelectorAll('[data-testid=channel-view] a')].map(a => a.getAttribute('href'))")
        assert hrefs == [f"https://opensea.io/collection/{slug}"], hrefs
        live = send("said live over MQTT")
        wait_for("the live message", lambda: any(m.get_attribute("data-id") == live["id"] for m in msgs()))
        assert "Sign in to write" in txt(app.one("channel-sign-in"))
        app.shot("01-public-channel")
        delete_as_moderator(server, owner, room_id, live["id"])
        wait_for("the deleted message to disappear",
                 lambda: not any(m.get_attribute("data-id") == live["id"] for m in msgs()))
        assert any("history first" in txt(m) for m in msgs())
        app.shot("02-after-delete")
        app.click("channel-sign-in")
        app.one("sign-in")
    finally:
        app.quit()


def test_the_owner_signed_in_moderates_and_runs_a_poll(own_server, coll, tmp_path):
    """The room's creator signs in with their key: the room's channel makes them its moderator."""
    app = App(tmp_path / "owner", own_server, "channel-owner")
    try:
        app.click("import-key")
        app.click("restore-key-tab")
        app.type("private-key", coll.account.key.hex())
        app.click("sign-in")
        app.type("nickname", "Ape Owner")
        app.click("save-nickname")
        room = wait_for("the collection room", lambda: [
            e for e in app.q("room-item") if e.get_attribute("data-room-id") == coll.room_id])
        room[0].click()
        app.one("mod-clear")
        # A member writes; the owner deletes it from the message's moderation menu.
        api = interop.Api(own_server.http_url)
        other = interop.login_siwe(api, own_server, Account.create())
        assert api.post("/rooms", {"is_opensea_coll": True, "opensea_coll_slug": coll.slug}, token=other.token) == coll.room_id
        paho = interop.Paho(own_server, other.user_id, other.token).connect_ok()
        m = interop.text_message(other.user_id, coll.room_id, "rude words", client_msg_id=uuid.uuid4().hex)
        paho.publish(f"msg/{other.user_id}", m)
        doomed = coll.mqtt.wait_message(f"chat/{coll.room_id}", lambda b: b.get("client_msg_id") == m["client_msg_id"])
        paho.close()
        el = wait_for("the member's message", lambda: [x for x in app.q("message") if x.get_attribute("data-id") == doomed["id"]])[0]
        app.js("arguments[0].click()", el.find_element("css selector", '[data-testid="mod-menu"]'))
        app.js("arguments[0].click()", el.find_element("css selector", '[data-testid="mod-delete"]'))
        app.click("mod-delete-confirm")
        wait_for("the deleted message to disappear", lambda: not [
            x for x in app.q("message") if x.get_attribute("data-id") == doomed["id"]])
        # Poll: start, vote, results.
        app.click("poll-start")
        app.type("poll-question", "Floor up?")
        app.type("poll-answers", "yes, no")
        app.type("poll-seconds", "3")
        app.click("poll-submit")
        wait_for("the poll options", lambda: len(app.q("poll-option")) == 2)
        app.q("poll-option")[0].click()
        app.shot("01-poll")
        results = app.one("poll-results", timeout=10)
        wait_for("the vote counted", lambda: "100%" in txt(results))
        # Clear the chat: every message goes.
        app.click("mod-clear")
        app.click("mod-clear-confirm")
        wait_for("the cleared room", lambda: not app.q("message"))
        app.shot("02-cleared")
    except BaseException:
        app.shot("FAILED")
        raise
    finally:
        app.quit()
