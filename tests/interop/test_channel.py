"""Interop: the Mixer-style chat channels (PROTOCOL.md section 3, seed 002) with the `websockets` package.

The packets are written from the seed's own examples: `GET /api/v1/chats/<channel>` answers
`{authkey, endpoints, permissions}` without the envelope; on the socket the server speaks first
(`WelcomeEvent`), then `{"type":"method","method","arguments","id"}` gets
`{"type":"reply","error","id","data"}`, and `{"type":"event","event","data"}` arrives as things happen.
The last test has a Paho MQTT client and a channel socket see each other's messages with the same ids.

Every wait has a timeout (TIMEOUT seconds): no test sleeps to let something happen.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import requests
from websockets.sync.client import connect

from test_paho import OID, TIMEOUT, Api, Paho, User, login_siwe, text_message

HEX32 = re.compile(r"^[0-9a-f]{32}$")


class ChatSocket:
    """A chat socket: method calls with their replies; events kept until a test asks for them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws = connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT)
        self.next_id = 0
        self.events: list[dict] = []
        self.welcome = self.recv()

    def recv(self) -> dict:
        try:
            raw = self.ws.recv(timeout=TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"{self.url}: nothing arrived within {TIMEOUT:.0f} s; events so far {self.events}")
        packet = json.loads(raw)
        assert isinstance(packet, dict) and packet.get("type") in ("reply", "event"), packet
        return packet

    def send_raw(self, text: str) -> None:
        self.ws.send(text)

    def reply(self, id_: Any) -> dict:
        while True:
            p = self.recv()
            if p["type"] == "reply" and p["id"] == id_:
                return p
            assert p["type"] == "event", f"a reply to another call: {p}"
            self.events.append(p)

    def call(self, method: str, *arguments: Any) -> dict:
        """Sends a method packet as the seed writes it and returns the whole reply packet."""
        id_ = self.next_id
        self.next_id += 1
        self.send_raw(json.dumps({"type": "method", "method": method, "arguments": list(arguments), "id": id_}))
        reply = self.reply(id_)
        assert set(reply) == {"type", "error", "id", "data"}, reply
        return reply

    def ok(self, method: str, *arguments: Any) -> Any:
        r = self.call(method, *arguments)
        assert r["error"] is None, f"{method}{list(arguments)}: {r}"
        return r["data"]

    def error(self, method: str, *arguments: Any) -> str:
        r = self.call(method, *arguments)
        assert r["error"] is not None and r["data"] is None, f"{method}{list(arguments)} should fail: {r}"
        return r["error"]

    def event(self, name: str, pred=lambda d: True) -> dict:
        """The data of the first event `name` whose data satisfies `pred` (waiting for it)."""
        for i, p in enumerate(self.events):
            if p["event"] == name and pred(p["data"]):
                del self.events[i]
                return p["data"]
        while True:
            p = self.recv()
            assert p["type"] == "event", f"a reply nobody asked for: {p}"
            if p["event"] == name and pred(p["data"]):
                return p["data"]
            self.events.append(p)

    def close(self) -> None:
        self.ws.close()


def chats(server, channel: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.http_url}/api/v1/chats/{channel}", headers=headers, timeout=TIMEOUT)


def collection(api: Api, owner: User) -> tuple[str, str]:
    slug = f"coll-{uuid.uuid4().hex[:12]}"
    room_id = api.post("/rooms", {"is_opensea_coll": True, "opensea_coll_slug": slug}, token=owner.token)
    assert OID.match(room_id), room_id
    return room_id, slug


def signed_in(server, user: User, room_id: str, endpoint: int = 0) -> ChatSocket:
    info = chats(server, room_id, user.token).json()
    s = ChatSocket(info["endpoints"][endpoint])
    data = s.ok("auth", room_id, user.user_id, info["authkey"])
    assert data["authenticated"] is True, data
    return s


@pytest.fixture()
def api(server) -> Api:
    return Api(server.http_url)


def test_ready_line_and_chats_endpoint(server, api):
    assert server.fields["chat"] == server.http_url.replace("http://", "ws://") + "/chat", server.ready_line
    assert server.fields.get("chat2", "").startswith("ws://"), server.ready_line
    owner = login_siwe(api, server)
    room_id, slug = collection(api, owner)

    r = chats(server, room_id)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"endpoints", "permissions"}, f"anonymous: no authkey, no envelope: {body}"
    assert body["permissions"] == ["connect"]
    assert body["endpoints"] == [server.fields["chat"], server.fields["chat2"]]

    body = chats(server, slug, owner.token).json()
    assert HEX32.match(body["authkey"]), body
    assert {"connect", "chat"} <= set(body["permissions"]), body
    assert len(body["endpoints"]) >= 2

    assert chats(server, "61f1007e604cc5be5f7a3c99", owner.token).status_code == 404


def test_welcome_and_anonymous_reading(server, api):
    owner = login_siwe(api, server)
    room_id, _ = collection(api, owner)
    endpoints = chats(server, room_id).json()["endpoints"]
    readers = []
    for url in endpoints:
        s = ChatSocket(url)
        assert s.welcome["type"] == "event" and s.welcome["event"] == "WelcomeEvent", s.welcome
        assert isinstance(s.welcome["data"]["server"], str) and s.welcome["data"]["server"]
        r = s.call("auth", room_id)
        assert r == {"type": "reply", "error": None, "id": 0, "data": {"authenticated": False, "roles": []}}
        assert s.error("msg", "Hello world :)") == "UACCESS"
        readers.append(s)

    o = signed_in(server, owner, room_id)
    sent = o.ok("msg", "Hello world :)")
    for s in readers:
        got = s.event("ChatMessage")
        assert got == sent
        assert s.ok("history", 10)[-1]["id"] == sent["id"]
        s.close()
    o.close()


def test_the_seeds_exchange(server, api):
    """auth, then msg, then the reply and the ChatMessage event, as in the seed's typical exchange."""
    owner = login_siwe(api, server)
    room_id, _ = collection(api, owner)
    info = chats(server, room_id, owner.token).json()
    s = ChatSocket(info["endpoints"][1])
    s.send_raw(json.dumps({"type": "method", "method": "auth",
                           "arguments": [room_id, owner.user_id, info["authkey"]], "id": 0}))
    assert s.reply(0) == {"type": "reply", "error": None, "id": 0,
                          "data": {"authenticated": True, "roles": ["Owner"]}}
    s.send_raw(json.dumps({"type": "method", "method": "msg", "arguments": ["Hello world!"], "id": 2}))
    reply = s.reply(2)
    assert reply["error"] is None
    d = reply["data"]
    assert d["channel"] == room_id
    assert OID.match(d["id"]) and d["seq"] == 1
    assert d["user_id"] == owner.user_id
    assert d["user_roles"] == ["Owner"]
    assert isinstance(d["user_name"], str) and d["user_name"]
    assert d["message"] == {"message": [{"type": "text", "data": "Hello world!", "text": "Hello world!"}],
                            "meta": {}}
    assert s.event("ChatMessage") == d
    s.close()


def test_history_and_error_codes(server, api):
    owner = login_siwe(api, server)
    bob = login_siwe(api, server)
    room_id, _ = collection(api, owner)
    o = signed_in(server, owner, room_id, 1)
    for i in range(4):
        o.ok("msg", f"m{i}")
    hist = o.ok("history", 3)
    assert ["".join(p["text"] for p in m["message"]["message"]) for m in hist] == ["m1", "m2", "m3"]
    assert [m["seq"] for m in hist] == [2, 3, 4]

    s = ChatSocket(chats(server, room_id).json()["endpoints"][0])
    s.send_raw("this is not JSON")
    assert s.recv() == {"type": "reply", "error": "UNOTJSON", "id": None, "data": None}
    assert s.error("auth", room_id, bob.user_id, "0" * 32) == "UNOTFOUND"
    owner_key = chats(server, room_id, owner.token).json()["authkey"]
    assert s.error("auth", room_id, bob.user_id, owner_key) == "UNOTFOUND", "a key is its user's"
    assert s.error("noSuchMethod") == "4004"
    assert s.error("history", 5) == "UACCESS", "before auth there is no channel"
    s.ok("auth", room_id)
    assert s.error("history", 101) == "4004"
    assert s.error("deleteMessage", hist[0]["id"]) == "UACCESS"
    b = signed_in(server, bob, room_id)
    assert b.error("clearMessages") == "UACCESS", "only the owner moderates"
    assert b.ok("ping") is None
    for sock in (o, s, b):
        sock.close()


def test_paho_and_a_channel_socket_see_each_others_messages(server, api):
    owner = login_siwe(api, server)
    bob = login_siwe(api, server)
    room_id, _ = collection(api, owner)
    p = Paho(server, owner.user_id, owner.token).connect_ok()
    try:
        p.subscribe_ok(f"chat/{room_id}")
        p.subscribe_ok(f"notification/{room_id}")
        s = signed_in(server, bob, room_id, 1)

        sent = s.ok("msg", "from the socket")
        got = p.wait_message(f"chat/{room_id}", lambda m: m.get("id") == sent["id"])
        assert got["msg_contents"] == "from the socket"
        assert got["from_uid"] == bob.user_id
        assert got["seq"] == sent["seq"]

        p.publish(f"msg/{owner.user_id}", text_message(owner.user_id, room_id, "from paho", "paho-1"))
        ack = p.wait_message(f"chat/{room_id}", lambda m: m.get("client_msg_id") == "paho-1")
        ev = s.event("ChatMessage", lambda d: d["id"] == ack["id"])
        assert ev["user_id"] == owner.user_id
        assert ev["seq"] == ack["seq"]
        assert ev["message"]["message"] == [{"type": "text", "data": "from paho", "text": "from paho"}]

        # The owner deletes bob's message on a socket; Paho is told, and REST no longer has it.
        o = signed_in(server, owner, room_id)
        assert o.ok("deleteMessage", sent["id"]) is None
        deleted = p.wait_message(f"notification/{room_id}", lambda m: m.get("type") == "messages_deleted")
        assert deleted == {"type": "messages_deleted", "room_id": room_id, "ids": [sent["id"]]}
        assert s.event("DeleteMessage")["id"] == sent["id"]
        listed = api.post("/messages", {"room_id": room_id, "page": 1, "size": 50}, token=owner.token)
        assert [m["id"] for m in listed] == [ack["id"]]
        s.close()
        o.close()
    finally:
        p.close()
