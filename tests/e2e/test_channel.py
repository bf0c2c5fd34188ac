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

from conftest import App, interop, start_server, stop_server, wait_for

HOSTILE = '<img src=x onerror="window.__pwned=1"><b>bold</b>'


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server of this module's own (the desktop tests stop theirs)."""
    srv = start_server(tmp_path_factory.mktemp("channel-server"))
    yield srv
    stop_server(srv)


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


def test_an_anonymous_app_reads_a_channel_live_and_deletions_disappear(own_server, tmp_path):
    server = own_server
    api = interop.Api(server.http_url)
    owner = interop.login_siwe(api, server, Account.create())
    slug = f"e2e-apes-{uuid.uuid4().hex[:8]}"
    room_id = api.post("/rooms", {"is_opensea_coll": True, "opensea_coll_slug": slug,
                                  "opensea_coll_name": "E2E Apes"}, token=owner.token)
    mqtt = interop.Paho(server, owner.user_id, owner.token).connect_ok()
    mqtt.subscribe_ok(f"chat/{room_id}")

    def send(text: str) -> dict:
        m = interop.text_message(owner.user_id, room_id, text, client_msg_id=uuid.uuid4().hex)
        mqtt.publish(f"msg/{owner.user_id}", m)
        return mqtt.wait_message(f"chat/{room_id}", lambda b: b.get("client_msg_id") == m["client_msg_id"])

    send(f"history first https://opensea.io/collection/{slug} {HOSTILE}")
    app = App(tmp_path / "anon", server, "channel")
    try:
        app.one("onboarding")
        app.type("channel-id-input", slug)
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
        mqtt.close()
