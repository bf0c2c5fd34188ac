"""Interop: clients that nobody on this project wrote use the server.

REST sign-in (PROTOCOL.md section 1) is done with `requests` and `eth-account` (EIP-4361 text signed
with EIP-191 personal_sign, and the stock 2022 form that signs the secret itself); MQTT (section 2)
with Eclipse paho-mqtt 2.x over WebSocket, MQTT 3.1.1 and MQTT 5.

Every wait has a timeout (TIMEOUT seconds): no test sleeps to let something happen.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import paho.mqtt.client as mqtt
import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

TIMEOUT = 10.0
OID = re.compile(r"^[0-9a-f]{24}$")
HEX = re.compile(r"^(0x)?[0-9a-fA-F]+$")
SIWE_STATEMENT = "Sign in to Web3MQ."

PROTOCOLS = [
    pytest.param(MQTTProtocolVersion.MQTTv311, id="mqtt311"),
    pytest.param(MQTTProtocolVersion.MQTTv5, id="mqtt5"),
]


# --------------------------------------------------------------------------------------------
# REST


class Api:
    """The REST API with its `{code, msg, data}` envelope."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.http = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, body: Any = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.http.request(method, self.base + path, json=body, headers=headers, timeout=TIMEOUT)
        try:
            env = r.json()
        except ValueError:
            raise AssertionError(f"{method} {path}: HTTP {r.status_code}, body is not JSON: {r.text[:500]!r}")
        assert isinstance(env, dict) and {"code", "msg", "data"} <= env.keys(), (
            f"{method} {path}: HTTP {r.status_code}, not the {{code, msg, data}} envelope: {env!r}"
        )
        return r.status_code, env

    def ok(self, method: str, path: str, token: str | None = None, body: Any = None):
        status, env = self.call(method, path, token, body)
        assert status == 200 and env["code"] == 0, f"{method} {path} {body!r}: HTTP {status} {env!r}"
        return env["data"]

    def post(self, path: str, body: Any, token: str | None = None):
        return self.ok("POST", path, token, body)

    def get(self, path: str, token: str | None = None):
        return self.ok("GET", path, token)


@dataclass
class User:
    account: Any  # eth_account LocalAccount
    user_id: str
    token: str
    info: dict


def rfc3339(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def siwe_text(domain: str, address: str, uri: str, nonce: str, now: datetime | None = None) -> str:
    """An EIP-4361 sign-in text, as PROTOCOL.md section 1 describes it."""
    now = now or datetime.now(timezone.utc)
    return (
        f"{domain} wants you to sign in with your Ethereum account:\n"
        f"{address}\n"
        f"\n"
        f"{SIWE_STATEMENT}\n"
        f"\n"
        f"URI: {uri}\n"
        f"Version: 1\n"
        f"Chain ID: 1\n"
        f"Nonce: {nonce}\n"
        f"Issued At: {rfc3339(now)}\n"
        f"Expiration Time: {rfc3339(now + timedelta(minutes=5))}"
    )


def personal_sign(account, text: str) -> str:
    sig = Account.sign_message(encode_defunct(text=text), account.key).signature
    return "0x" + bytes(sig).hex()


def jwt_payload(token: str) -> dict:
    parts = token.split(".")
    assert len(parts) == 3, f"access_token is not a JWT: {token!r}"
    pad = "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(parts[1] + pad))


def random_secret(api: Api, wallet_address: str) -> str:
    secret = api.post("/login_random_secret", {"wallet_address": wallet_address})
    assert isinstance(secret, str) and HEX.match(secret), f"login secret is not hex: {secret!r}"
    return secret


def check_login(data: dict, account) -> User:
    assert isinstance(data, dict) and "access_token" in data and "user_info" in data, data
    token, info = data["access_token"], data["user_info"]
    assert isinstance(token, str) and token
    assert OID.match(info["user_id"]), info
    assert info["eth_wallet_address"].lower() == account.address.lower(), info
    claims = jwt_payload(token)
    assert claims["user_id"] == info["user_id"], claims
    for k in ("sub", "exp", "access_expired_at", "refresh_expired_at"):
        assert k in claims, f"JWT payload lacks {k}: {claims}"
    return User(account=account, user_id=info["user_id"], token=token, info=info)


def login_siwe(api: Api, server, account=None) -> User:
    """Sign-in the way PROTOCOL.md section 1 describes: an EIP-4361 text signed with personal_sign."""
    account = account or Account.create()
    address = account.address  # EIP-55 checksum form
    secret = random_secret(api, address)
    text = siwe_text(server.domain, address, server.http_url, secret)
    data = api.post(
        "/login",
        {
            "wallet_address": address,
            "login_random_secret": secret,
            "signature": personal_sign(account, text),
            "message": text,
        },
    )
    return check_login(data, account)


def login_2022(api: Api, account=None) -> User:
    """Sign-in as the stock 2022 clients did: lowercased address, personal_sign of the secret, no message."""
    account = account or Account.create()
    address = account.address.lower()
    secret = random_secret(api, address)
    data = api.post(
        "/login",
        {"wallet_address": address, "login_random_secret": secret, "signature": personal_sign(account, secret)},
    )
    return check_login(data, account)


def create_room(api: Api, creator: User, *others: User) -> str:
    room_id = api.post("/rooms", {"user_id": [u.user_id for u in others]}, token=creator.token)
    assert isinstance(room_id, str) and OID.match(room_id), room_id
    return room_id


def text_message(from_uid: str, room_id: str, text: str, client_msg_id: str | None = None,
                 room_key: str = "to_room_id", msg_type: str = "text") -> dict:
    """A message with the fields of seed 000 / PROTOCOL.md section 2."""
    m = {
        "from_uid": from_uid,
        room_key: room_id,
        "msg_type": msg_type,
        "msg_contents": text,
        "is_thread": False,
        "is_opensea_item_thread": False,
        "opensea_item_contract_address": "",
        "opensea_item_token_id": "",
        "opensea_item_name": "",
        "opensea_item_description": "",
        "opensea_item_image_url": "",
        "belong_to_thread_id": "",
        "reply_to_msg_id": "",
        "created_at": time.time_ns(),
        "at_user_ids": [],
    }
    if client_msg_id is not None:
        m["client_msg_id"] = client_msg_id
    return m


# --------------------------------------------------------------------------------------------
# MQTT (paho)


@dataclass
class Received:
    topic: str
    payload: bytes

    def json(self) -> Any:
        return json.loads(self.payload)


class Paho:
    """A paho-mqtt 2.x client over WebSocket whose callbacks feed lists that tests wait on."""

    def __init__(self, server, username: str, password: str,
                 protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv311,
                 client_id: str | None = None) -> None:
        self.protocol = protocol
        self.client_id = client_id or f"{username}-pytest-{uuid.uuid4().hex[:8]}"
        self.c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=protocol,
            transport="websockets",
            reconnect_on_failure=False,
        )
        self.c.ws_set_options(path=server.mqtt_path)
        self.c.username_pw_set(username, password)
        self.c.connect_timeout = TIMEOUT
        self.host, self.port = server.mqtt_host, server.mqtt_port
        self.cond = threading.Condition()
        self.connacks: list = []
        self.subacks: dict[int, list] = {}
        self.pubacks: dict[int, Any] = {}
        self.messages: list[Received] = []
        self.disconnects: list = []
        self.c.on_connect = self._on_connect
        self.c.on_subscribe = self._on_subscribe
        self.c.on_publish = self._on_publish
        self.c.on_message = self._on_message
        self.c.on_disconnect = self._on_disconnect
        self.started = False

    # callbacks (paho's network thread)
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        with self.cond:
            self.connacks.append(reason_code)
            self.cond.notify_all()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        with self.cond:
            self.subacks[mid] = list(reason_codes)
            self.cond.notify_all()

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self.cond:
            self.pubacks[mid] = reason_code
            self.cond.notify_all()

    def _on_message(self, client, userdata, msg):
        with self.cond:
            self.messages.append(Received(msg.topic, bytes(msg.payload)))
            self.cond.notify_all()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self.cond:
            self.disconnects.append(reason_code)
            self.cond.notify_all()

    def _wait(self, what: str, get: Callable[[], Any], timeout: float = TIMEOUT):
        with self.cond:
            ok = self.cond.wait_for(lambda: get() is not None, timeout=timeout)
            if not ok:
                raise AssertionError(
                    f"{self.client_id}: timed out after {timeout:.0f} s waiting for {what}; "
                    f"connacks={self.connacks} disconnects={self.disconnects} "
                    f"messages={[(m.topic, m.payload[:200]) for m in self.messages]}"
                )
            return get()

    # actions
    def connect(self):
        """Connects and returns the CONNACK's reason code (paho ReasonCode)."""
        self.c.connect(self.host, self.port, keepalive=30)
        self.c.loop_start()
        self.started = True
        return self._wait("CONNACK", lambda: self.connacks[0] if self.connacks else None)

    def connect_ok(self) -> "Paho":
        rc = self.connect()
        assert not rc.is_failure, f"CONNACK refused: {rc} ({rc.value})"
        return self

    def subscribe(self, topic: str, qos: int = 1) -> list:
        """Subscribes and returns the SUBACK's reason codes."""
        result, mid = self.c.subscribe(topic, qos=qos)
        assert result == mqtt.MQTT_ERR_SUCCESS, f"subscribe({topic}) not sent: {result}"
        return self._wait(f"SUBACK of {topic}", lambda: self.subacks.get(mid))

    def subscribe_ok(self, topic: str, qos: int = 1) -> None:
        codes = self.subscribe(topic, qos)
        assert len(codes) == 1 and not codes[0].is_failure, f"SUBACK for {topic}: {codes}"

    def publish(self, topic: str, payload: Any, qos: int = 1):
        """Publishes (QoS 1 by default) and returns the PUBACK's reason code."""
        data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        info = self.c.publish(topic, data, qos=qos)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, f"publish({topic}) not sent: {info.rc}"
        return self._wait(f"PUBACK of a publish to {topic}", lambda: self.pubacks.get(info.mid))

    def wait_message(self, topic: str, pred: Callable[[Any], bool] = lambda m: True,
                     timeout: float = TIMEOUT) -> Any:
        """The first JSON message received on `topic` that satisfies `pred` (waiting for it)."""

        def find():
            for m in self.messages:
                if m.topic == topic:
                    try:
                        body = m.json()
                    except ValueError:
                        continue
                    if pred(body):
                        return body
            return None

        return self._wait(f"a message on {topic}", find, timeout)

    def received(self, topic: str) -> list:
        with self.cond:
            return [m.json() for m in self.messages if m.topic == topic]

    def close(self) -> None:
        try:
            if self.started:
                self.c.disconnect()
                self.c.loop_stop()
        except Exception:  # noqa: BLE001 - best effort cleanup
            pass


@pytest.fixture
def api(server) -> Api:
    return Api(server.http_url)


@pytest.fixture
def paho(server):
    """Factory of Paho clients, all disconnected when the test ends."""
    made: list[Paho] = []

    def make(user_or_name, password: str | None = None, protocol=MQTTProtocolVersion.MQTTv311,
             client_id: str | None = None) -> Paho:
        if isinstance(user_or_name, User):
            username, pw = user_or_name.user_id, user_or_name.token
        else:
            username, pw = user_or_name, password
        p = Paho(server, username, pw if password is None else password, protocol, client_id)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def has_contents(text: str) -> Callable[[Any], bool]:
    return lambda m: isinstance(m, dict) and m.get("msg_contents") == text


# --------------------------------------------------------------------------------------------
# Tests: REST sign-in


def test_healthz(api):
    assert api.get("/healthz") == "ok"


def test_siwe_login_creates_user_once_and_secret_is_single_use(api, server):
    acct = Account.create()
    first = login_siwe(api, server, acct)
    again = login_siwe(api, server, acct)
    assert again.user_id == first.user_id, "the first login creates the user; later ones find it"
    assert api.get("/my_rooms", token=again.token) == []

    # A secret is single use.
    secret = random_secret(api, acct.address)
    text = siwe_text(server.domain, acct.address, server.http_url, secret)
    body = {"wallet_address": acct.address, "login_random_secret": secret,
            "signature": personal_sign(acct, text), "message": text}
    api.post("/login", body)
    status, env = api.call("POST", "/login", body=body)
    assert env["code"] != 0 and 400 <= status < 500, f"reused secret accepted: HTTP {status} {env}"


def test_siwe_login_with_someone_elses_signature_is_refused(api, server):
    acct, mallory = Account.create(), Account.create()
    secret = random_secret(api, acct.address)
    text = siwe_text(server.domain, acct.address, server.http_url, secret)
    status, env = api.call("POST", "/login", body={
        "wallet_address": acct.address, "login_random_secret": secret,
        "signature": personal_sign(mallory, text), "message": text})
    assert env["code"] != 0 and 400 <= status < 500, f"forged login accepted: HTTP {status} {env}"


def test_login_2022_form_signs_the_secret(api, server, paho):
    """The stock 2022 clients: lowercased address, no `message`, personal_sign of the secret string."""
    acct = Account.create()
    old = login_2022(api, acct)
    new = login_siwe(api, server, acct)  # the same wallet, the other form, any address case
    assert new.user_id == old.user_id
    assert api.get("/my_rooms", token=old.token) == []
    # The 2022 token works on MQTT too.
    paho(old).connect_ok()


# --------------------------------------------------------------------------------------------
# Tests: MQTT


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_two_users_chat_in_a_room(api, server, paho, protocol):
    """(a) alice and bob sign in, alice makes a 1v1 room, they talk over paho, history has both in order."""
    alice, bob = login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    info = api.get(f"/rooms/{room}", token=bob.token)
    assert info["room_id"] == room and info["is_1v1"] is True, info
    assert {m["user_id"] for m in info["members"]} == {alice.user_id, bob.user_id}, info
    assert room in api.get("/my_rooms", token=bob.token)

    a = paho(alice, protocol=protocol).connect_ok()
    b = paho(bob, protocol=protocol).connect_ok()
    a.subscribe_ok(f"chat/{room}")
    b.subscribe_ok(f"chat/{room}")

    hello = f"gm bob {uuid.uuid4().hex[:6]}"
    rc = a.publish(f"msg/{alice.user_id}", text_message(alice.user_id, room, hello, client_msg_id=uuid.uuid4().hex))
    assert not rc.is_failure, f"PUBACK: {rc}"
    got_a = a.wait_message(f"chat/{room}", has_contents(hello))  # the sender's ACK
    got_b = b.wait_message(f"chat/{room}", has_contents(hello))
    for got in (got_a, got_b):
        assert OID.match(got.get("id", "")), got
        assert got["seq"] == 1, got
        assert got["from_uid"] == alice.user_id and got["to_room_id"] == room, got
        assert got["msg_type"] == "text", got
    assert got_a["id"] == got_b["id"]

    reply = f"gm alice {uuid.uuid4().hex[:6]}"
    rc = b.publish(f"msg/{bob.user_id}", text_message(bob.user_id, room, reply, client_msg_id=uuid.uuid4().hex))
    assert not rc.is_failure, f"PUBACK: {rc}"
    got_reply = a.wait_message(f"chat/{room}", has_contents(reply))
    assert got_reply["seq"] == 2 and got_reply["from_uid"] == bob.user_id, got_reply
    assert OID.match(got_reply["id"]) and got_reply["id"] != got_a["id"]
    assert b.wait_message(f"chat/{room}", has_contents(reply))["id"] == got_reply["id"]

    history = api.post("/messages", {"room_id": room, "page": 1, "size": 50}, token=bob.token)
    assert [(m["seq"], m["id"], m["msg_contents"], m["from_uid"]) for m in history] == [
        (1, got_a["id"], hello, alice.user_id),
        (2, got_reply["id"], reply, bob.user_id),
    ], history


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_wrong_password_is_refused_in_connack(api, server, paho, protocol):
    """(b) a bad token, or someone else's token, is refused in the CONNACK."""
    alice, bob = login_siwe(api, server), login_siwe(api, server)
    bad_user_or_pw = {"Bad user name or password", "Not authorized"}
    for name, password in [
        (alice.user_id, "not-a-token"),
        (alice.user_id, alice.token[:-4] + ("AAAA" if not alice.token.endswith("AAAA") else "BBBB")),
        (alice.user_id, bob.token),
        ("000000000000000000000000", alice.token),
    ]:
        p = paho(name, password, protocol=protocol)
        rc = p.connect()
        assert rc.is_failure, f"CONNACK accepted user {name} with a wrong password"
        assert rc.getName() in bad_user_or_pw, f"CONNACK reason {rc} ({rc.value})"
        p.close()
    # The right one works, so the refusals above were about the password.
    paho(alice, protocol=protocol).connect_ok()


def test_forbidden_subscriptions_get_suback_failure_mqtt311(api, server, paho):
    """(c) a room you're not in, chat/#, $SYS/# (and others' user topics) get SUBACK 0x80."""
    alice, bob, carol = login_siwe(api, server), login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    c = paho(carol).connect_ok()
    for topic in [f"chat/{room}", "chat/#", "$SYS/#", f"notification/{room}",
                  f"notification/{alice.user_id}", "#"]:
        codes = c.subscribe(topic)
        assert [rc.value for rc in codes] == [0x80], f"SUBACK for {topic}: {codes}"
    # The connection still works and allowed subscriptions are granted.
    c.subscribe_ok(f"notification/{carol.user_id}")
    c.subscribe_ok(f"chat/{carol.user_id}")


def test_forbidden_subscriptions_get_suback_failure_mqtt5(api, server, paho):
    alice, bob, carol = login_siwe(api, server), login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    c = paho(carol, protocol=MQTTProtocolVersion.MQTTv5).connect_ok()
    for topic in [f"chat/{room}", "chat/#", "$SYS/#"]:
        codes = c.subscribe(topic)
        assert len(codes) == 1 and codes[0].is_failure, f"SUBACK for {topic}: {codes}"
    c.subscribe_ok(f"notification/{carol.user_id}")


def test_unknown_msg_type_gets_an_error_event_and_is_not_delivered(api, server, paho):
    """(d) an unknown msg_type yields an error event on notification/<me>, and nothing on chat/<room>."""
    alice, bob = login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    a = paho(alice).connect_ok()
    b = paho(bob).connect_ok()
    a.subscribe_ok(f"notification/{alice.user_id}")
    a.subscribe_ok(f"chat/{room}")
    b.subscribe_ok(f"chat/{room}")

    bad_text = f"bad {uuid.uuid4().hex[:6]}"
    cmid = uuid.uuid4().hex
    a.publish(f"msg/{alice.user_id}",
              text_message(alice.user_id, room, bad_text, client_msg_id=cmid, msg_type="hologram"))
    err = a.wait_message(f"notification/{alice.user_id}", lambda m: m.get("type") == "error")
    assert err["code"] == "unknown_msg_type", err
    assert isinstance(err.get("reason"), str) and err["reason"], err
    assert err.get("client_msg_id") == cmid, err

    # A good message after it is the room's first: the bad one got no seq and reached nobody.
    good = f"good {uuid.uuid4().hex[:6]}"
    a.publish(f"msg/{alice.user_id}", text_message(alice.user_id, room, good, client_msg_id=uuid.uuid4().hex))
    assert a.wait_message(f"chat/{room}", has_contents(good))["seq"] == 1
    assert b.wait_message(f"chat/{room}", has_contents(good))["seq"] == 1
    for p in (a, b):
        assert [m.get("msg_contents") for m in p.received(f"chat/{room}")] == [good]
    history = api.post("/messages", {"room_id": room, "page": 1, "size": 50}, token=alice.token)
    assert [m["msg_contents"] for m in history] == [good], history


def test_2022_js_sdk_form_with_to_is_accepted(api, server, paho):
    """(e) the 2022 JS SDK named the room `to`, not `to_room_id`."""
    alice, bob = login_2022(api), login_2022(api)
    room = create_room(api, alice, bob)
    a = paho(alice).connect_ok()
    b = paho(bob).connect_ok()
    a.subscribe_ok(f"chat/{room}")
    b.subscribe_ok(f"chat/{room}")
    text = f"gm from 2022 {uuid.uuid4().hex[:6]}"
    msg = text_message(alice.user_id, room, text, room_key="to")
    assert "to_room_id" not in msg
    a.publish(f"msg/{alice.user_id}", msg)
    got = b.wait_message(f"chat/{room}", has_contents(text))
    assert OID.match(got["id"]) and got["seq"] == 1, got
    assert got["to_room_id"] == room and got["from_uid"] == alice.user_id, got
    ack = a.wait_message(f"chat/{room}", has_contents(text))
    assert ack["id"] == got["id"]


def test_resend_with_same_client_msg_id_is_stored_once(api, server, paho):
    """A resend of a stored client_msg_id is not stored again: the stored one is published again as the ACK."""
    alice, bob = login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    a = paho(alice).connect_ok()
    a.subscribe_ok(f"chat/{room}")
    text = f"once {uuid.uuid4().hex[:6]}"
    msg = text_message(alice.user_id, room, text, client_msg_id=uuid.uuid4().hex)
    a.publish(f"msg/{alice.user_id}", msg)
    first = a.wait_message(f"chat/{room}", has_contents(text))
    a.publish(f"msg/{alice.user_id}", msg)
    with a.cond:
        ok = a.cond.wait_for(
            lambda: sum(1 for m in a.messages if m.topic == f"chat/{room}") >= 2, timeout=TIMEOUT)
    assert ok, "no ACK for the resend"
    copies = a.received(f"chat/{room}")
    assert [(m["id"], m["seq"]) for m in copies] == [(first["id"], 1)] * 2, copies
    history = api.post("/messages", {"room_id": room, "page": 1, "size": 50}, token=alice.token)
    assert [(m["id"], m["seq"]) for m in history] == [(first["id"], 1)], history


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_publish_as_someone_else_is_not_routed(api, server, paho, protocol):
    """A publish on another user's msg topic is dropped (3.1.1) or refused (MQTT 5), and reaches nobody."""
    alice, bob = login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    a = paho(alice, protocol=protocol).connect_ok()
    b = paho(bob).connect_ok()
    b.subscribe_ok(f"chat/{room}")
    spoof = f"spoof {uuid.uuid4().hex[:6]}"
    if protocol == MQTTProtocolVersion.MQTTv5:
        rc = a.publish(f"msg/{bob.user_id}", text_message(bob.user_id, room, spoof))
        assert rc.is_failure, f"MQTT 5 PUBACK for a publish to msg/<bob> by alice: {rc}"
    else:
        # 3.1.1 cannot say no: QoS 0, so that nothing depends on how the drop is acknowledged.
        a.publish(f"msg/{bob.user_id}", text_message(bob.user_id, room, spoof), qos=0)
    # The same connection goes on working (a drop, not a disconnect), and the spoof was never routed.
    real = f"real {uuid.uuid4().hex[:6]}"
    rc = a.publish(f"msg/{alice.user_id}", text_message(alice.user_id, room, real))
    assert not rc.is_failure, rc
    assert b.wait_message(f"chat/{room}", has_contents(real))["seq"] == 1
    assert [m.get("msg_contents") for m in b.received(f"chat/{room}")] == [real]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_will_or_someone_elses_client_id_is_refused_at_connect(api, server, paho, protocol):
    """docs/security.md: a CONNECT with a will, or with a client id not of its user, gets a refusing CONNACK;
    the victim's connection stays, and the next message it sees is the honest one."""
    alice, bob, mallory = login_siwe(api, server), login_siwe(api, server), login_siwe(api, server)
    room = create_room(api, alice, bob)
    a = paho(alice).connect_ok()
    a.subscribe_ok(f"chat/{room}")

    forged = text_message(bob.user_id, room, "forged by a will")
    w = paho(mallory, protocol=protocol)
    w.c.will_set(f"chat/{room}", json.dumps(forged), qos=1)
    assert w.connect().is_failure, "a CONNECT with a will was accepted"

    thief = paho(mallory, protocol=protocol, client_id=a.client_id)
    assert thief.connect().is_failure, "mallory connected with alice's client id"

    b = paho(bob).connect_ok()
    honest = f"honest {uuid.uuid4().hex[:6]}"
    b.publish(f"msg/{bob.user_id}", text_message(bob.user_id, room, honest))
    a.wait_message(f"chat/{room}", has_contents(honest))
    assert [m.get("msg_contents") for m in a.received(f"chat/{room}")] == [honest]
    assert a.disconnects == [], "alice was kicked"
