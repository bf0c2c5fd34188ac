"""End-to-end: the real app in a real WebView (tauri-driver + WebKitWebDriver) against a real
w3mq-server, with a Python peer (eth-account sign-in, Paho MQTT) on the other side.

The tests of this module run in order on one account: sign in, chat, then restart offline.
Screenshots go to W3MQ_SHOTS (target/e2e-shots); look at them after a run.
"""

from __future__ import annotations

import copy
import subprocess
import json
import uuid
from pathlib import Path

import pytest
from eth_account import Account

from conftest import App, interop, notifications, stop_server, wait_for

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
CARD = json.loads((FIXTURES / "sudo_swap_card.json").read_text())
ME = "Alice E2E"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>'
HOSTILE_NICK = '<img src=x onerror=window.__pwned=3><b>'  # nick names are at most 64 characters


class Peer:
    """The other person: signed in over REST, publishing over Paho."""

    def __init__(self, api, server, nick: str) -> None:
        self.api = api
        self.user = interop.login_siwe(api, server, Account.create())
        self.set_nick(nick)
        self.mqtt = interop.Paho(server, self.user.user_id, self.user.token).connect_ok()

    @property
    def uid(self) -> str:
        return self.user.user_id

    def set_nick(self, nick: str) -> None:
        self.api.post("/profile", {"nick_name": nick}, token=self.user.token)

    def send(self, room_id: str, text: str, **fields) -> dict:
        m = interop.text_message(self.uid, room_id, text, client_msg_id=uuid.uuid4().hex)
        m.update(fields)
        self.mqtt.subscribe_ok(f"chat/{room_id}")
        self.mqtt.publish(f"msg/{self.uid}", m)
        return self.mqtt.wait_message(f"chat/{room_id}", lambda b: b.get("client_msg_id") == m["client_msg_id"])


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, server, api):
    """What the tests of this module share."""
    state = {"data": tmp_path_factory.mktemp("app-data"), "server": server, "api": api}
    state["app"] = App(state["data"], server, "run1")
    state["peer"] = Peer(api, server, "Bob Peer")
    yield state
    state["app"].quit()
    state["peer"].mqtt.close()


def txt(el) -> str:
    """An element's text content (WebKitWebDriver's visible-text rules drop some of it)."""
    return el.get_attribute("textContent") or ""


def message_texts(app: App) -> list[str]:
    return [txt(e) for e in app.q("message-text")]


def open_room(app: App, title_part: str):
    def find():
        for el in app.q("room-item"):
            if title_part in txt(el):
                return el
        return None

    el = wait_for(f"a room titled {title_part!r}", find)
    room_id = el.get_attribute("data-room-id")
    el.click()
    return room_id


def test_first_run_creates_a_key_signs_in_and_sets_a_nickname(ctx):
    app: App = ctx["app"]
    app.one("onboarding")
    app.shot("01-onboarding")
    app.click("create-key")
    http = app.one("env-http")
    assert http.get_attribute("value") == ctx["server"].http_url
    app.click("sign-in")
    # The recovery phrase, then three of its words asked back: only then does it sign in.
    words = [w.get_attribute("textContent") for w in wait_for("the phrase", lambda: app.q("phrase-word"))]
    assert len(words) == 12 and len(set(words)) > 1, words
    app.shot("01b-phrase")
    app.click("phrase-next")
    for el in wait_for("the quiz", lambda: app.d.find_elements("css selector", '[data-testid^="quiz-word-"]')):
        pos = int(el.get_attribute("data-testid").rsplit("-", 1)[1])
        el.send_keys(words[pos - 1])
    app.click("quiz-submit")
    app.type("nickname", ME)
    app.click("save-nickname")
    app.one("room-list")
    me = ctx["api"].post("/search", {"keyword": ME}, token=ctx["peer"].user.token)
    assert [u["nick_name"] for u in me] == [ME], me
    ctx["me"] = me[0]["user_id"]
    assert not app.q("backup-reminder"), "a confirmed phrase is a backup"
    app.shot("02-signed-in")


def test_create_a_room_with_a_found_user(ctx):
    app: App = ctx["app"]
    app.click("new-room")
    app.type("user-search", "Bob Peer")
    wait_for("a user result", lambda: [e for e in app.q("user-result") if "Bob Peer" in txt(e)])[0].click()
    app.click("create-room-submit")
    ctx["direct"] = open_room(app, "Bob Peer")
    rooms = ctx["api"].get("/my_rooms", token=ctx["peer"].user.token)
    assert ctx["direct"] in rooms


def test_a_mention_from_another_client_appears_and_notifies(ctx, server, api):
    app: App = ctx["app"]
    peer: Peer = ctx["peer"]
    third = interop.login_siwe(api, server, Account.create())
    group = api.post("/rooms", {"user_id": [ctx["me"], third.user_id]}, token=peer.user.token)
    text = f"@{ME} look at this {uuid.uuid4().hex[:6]}"
    peer.send(group, text, at_user_ids=[ctx["me"]])
    # The group appears in the room list with a mention badge; the app is looking at the 1v1 room.
    badge = wait_for("a mention badge", lambda: [
        e for e in app.q("room-item") if e.get_attribute("data-room-id") == group and
        e.find_elements("css selector", '[data-testid="mention-badge"]')])
    assert badge
    log = wait_for("a Notify call naming the sender", lambda: "Bob Peer" in notifications() and notifications())
    assert text.split()[-1] in log
    # Click the notification (dunst invokes its default action): the app opens the group at the message.
    subprocess.run(["dunstctl", "action", "0"], check=True, timeout=10)
    mention = wait_for("my highlighted mention", lambda: app.d.find_elements(
        "css selector", '[data-testid="message"] .mention.mention-me'))
    assert ME in txt(mention[0])
    app.shot("03-mention")


def test_reply_thread_trade_card_and_item_card_render(ctx, api):
    app: App = ctx["app"]
    peer: Peer = ctx["peer"]
    room = ctx["direct"]
    original = peer.send(room, "the quoted original")
    peer.send(room, "this is a reply", reply_to_msg_id=original["id"])
    card_msg = interop.text_message(peer.uid, room, "", client_msg_id=uuid.uuid4().hex)
    card_msg.update(msg_type="sudo_swap_card", msg_contents=CARD)
    peer.mqtt.publish(f"msg/{peer.uid}", card_msg)
    peer.mqtt.wait_message(f"chat/{room}", lambda b: b.get("client_msg_id") == card_msg["client_msg_id"])
    root = peer.send(room, "what about this llama?")
    api.post("/threads", {
        "msg_id": root["id"], "is_opensea_item_thread": True,
        "opensea_item_contract_address": "0x9df8aa7c681f33e442a0d57b838555da863504f3",
        "opensea_item_token_id": "1086", "opensea_item_name": "Pixelated Llama #1086",
        "opensea_item_description": "A llama, pixelated.",
        "opensea_item_image_url": "https://example.com/llama.png",
    }, token=peer.user.token)
    peer.send(room, "in the thread", belong_to_thread_id=root["id"])

    open_room(app, "Bob Peer")
    card = app.one("swap-card")
    for a in CARD["asset1Data"] + CARD["asset2Data"]:
        for k in ("name", "symbol", "amount"):
            wait_for(f"card field {a[k]}", lambda: a[k] in txt(card))
    for k in ("orderStatus", "creatorAddress"):
        assert CARD[k] in txt(card), (k, txt(card))
    # The expiry shows as a local date; the sent text stays on the element.
    expiry = card.find_element("css selector", '[data-field="expiryDate"]')
    assert expiry.get_attribute("data-value") == CARD["expiryDate"], expiry.get_attribute("outerHTML")
    imgs = [i.get_attribute("src") for i in card.find_elements("css selector", "img")]
    assert CARD["asset1Data"][0]["imgURL"] in imgs
    quote = wait_for("the quoted message", lambda: [q for q in app.q("reply-quote") if "the quoted original" in txt(q)])
    assert quote
    item = wait_for("the item card", lambda: [i for i in app.q("item-card") if "Pixelated Llama #1086" in txt(i)])
    assert "1086" in txt(item[0])
    app.shot("04-cards")
    # Open the thread from its root.
    roots = [m for m in app.q("message") if m.get_attribute("data-id") == root["id"]]
    assert roots, "the thread root is in the list"
    # The root says how many replies its thread has (the reply itself is not in the room).
    wait_for("the root's reply count", lambda: [
        e for e in roots[0].find_elements("css selector", '[data-testid="thread-replies"]') if txt(e) == "1 reply"])
    roots[0].find_element("css selector", '[data-testid="thread-button"]').click()
    panel = app.one("thread-panel")
    wait_for("the thread reply in the panel", lambda: "in the thread" in txt(panel))
    app.shot("05-thread")


def test_hostile_strings_in_every_field_stay_inert(ctx, server, api):
    app: App = ctx["app"]
    peer = Peer(api, server, HOSTILE_NICK)
    room = api.post("/rooms", {"user_id": [ctx["me"]]}, token=peer.user.token)
    text = HOSTILE + " javascript:alert(1) data:text/html,<b>x</b>"
    peer.send(room, text)
    card = copy.deepcopy(CARD)
    card["orderStatus"] = HOSTILE
    card["asset1Data"][0]["name"] = HOSTILE
    card["asset1Data"][0]["symbol"] = "<svg onload=alert(1)>"
    msg = interop.text_message(peer.uid, room, "", client_msg_id=uuid.uuid4().hex)
    msg.update(msg_type="sudo_swap_card", msg_contents=card)
    peer.mqtt.publish(f"msg/{peer.uid}", msg)
    wait_for("the room titled by the hostile nick name", lambda: [
        e for e in app.q("room-item") if e.get_attribute("data-room-id") == room and HOSTILE_NICK in txt(e)])[0].click()
    wait_for("the hostile text shown as text", lambda: any(HOSTILE in t for t in message_texts(app)))
    wait_for("the hostile card shown as text", lambda: any(HOSTILE in txt(c) for c in app.q("swap-card")))
    assert app.js("return window.__pwned === undefined") is True
    bad = app.js("""
        return document.body.querySelectorAll('b, script:not([src]), svg[onload], img[src="x"], [onerror], [onload]').length;""")
    assert bad == 0
    hrefs = app.js("""return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));""")
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs
    srcs = app.js("""return [...document.querySelectorAll('img')].map(i => i.getAttribute('src'));""")
    assert all(s.startswith(("https://", "http://", "data:")) for s in srcs), srcs
    app.shot("06-hostile")
    peer.mqtt.close()


def test_reactions_edits_and_deletions_go_both_ways(ctx, api):
    """The peer edits and deletes its message and reacts: the app shows the new text with its mark,
    the reaction and the placeholder; the app reacts, sends, edits and deletes for everyone: the
    server (as the peer reads it) has each change, and a 2022 history leaves the placeholder out."""
    from selenium.webdriver.common.action_chains import ActionChains

    app: App = ctx["app"]
    peer: Peer = ctx["peer"]
    room = ctx["direct"]
    me = ctx["me"]
    open_room(app, "Bob Peer")
    tag = uuid.uuid4().hex[:6]

    def shown(msg_id: str):
        return wait_for(f"message {msg_id}", lambda: [
            e for e in app.q("message") if e.get_attribute("data-id") == msg_id])[0]

    def press(msg_el, testid: str) -> None:
        # The message's buttons show on hover (and focus); a pointer goes there first.
        ActionChains(app.d).move_to_element(msg_el).perform()
        msg_el.find_element("css selector", f'[data-testid="{testid}"]').click()

    def on_server(msg_id: str) -> dict:
        return api.get(f"/messages/{msg_id}", token=peer.user.token)

    theirs = peer.send(room, f"tpyo {tag}")
    shown(theirs["id"])
    api.post("/messages/edit", {"msg_id": theirs["id"], "text": f"typo fixed {tag}"}, token=peer.user.token)
    wait_for("the edit, marked", lambda: f"typo fixed {tag}" in txt(shown(theirs["id"])) and
             shown(theirs["id"]).find_elements("css selector", '[data-testid="edited"]'))
    press(shown(theirs["id"]), "react-button")
    wait_for("the quick bar", lambda: app.q("pick-reaction"))
    [b for b in app.q("pick-reaction") if b.get_attribute("data-emoji") == "👍"][0].click()
    wait_for("my reaction on the server", lambda: me in sum(
        (r["user_ids"] for r in on_server(theirs["id"]).get("reactions", [])), []))
    api.post("/reactions", {"msg_id": theirs["id"], "emoji": "🔥", "on": True}, token=peer.user.token)
    wait_for("both reactions, mine pressed", lambda: sorted(
        (c.get_attribute("data-emoji"), c.get_attribute("aria-pressed"))
        for c in shown(theirs["id"]).find_elements("css selector", '[data-testid="reaction"]')) == [("👍", "true"), ("🔥", "false")])
    app.shot("07-reactions-edit")

    # Mine: sent, edited in the composer, then deleted for everyone after the confirmation.
    app.type("composer", f"my first try {tag}")
    app.click("send-button")
    mine = wait_for("my message sent", lambda: [
        e for e in app.q("message") if f"my first try {tag}" in txt(e) and e.get_attribute("data-status") == "sent"])[0]
    mine_id = mine.get_attribute("data-id")
    press(mine, "edit-button")
    app.one("editing-bar")
    app.type("composer", f"my second try {tag}")
    app.click("send-button")
    wait_for("my edit on the server", lambda: on_server(mine_id)["msg_contents"] == f"my second try {tag}")
    press(shown(mine_id), "delete-button")
    app.click("confirm-delete")
    wait_for("my placeholder", lambda: shown(mine_id).find_elements("css selector", '[data-testid="deleted"]'))
    assert on_server(mine_id)["deleted"] is True
    ids = [m["id"] for m in api.post("/messages", {"room_id": room, "page": 1, "size": 100}, token=peer.user.token)]
    assert mine_id not in ids and theirs["id"] in ids, "a 2022 history shows the placeholder"

    # The peer deletes its own: gone here too, live.
    api.post("/messages/delete", {"msg_id": theirs["id"]}, token=peer.user.token)
    wait_for("their placeholder", lambda: shown(theirs["id"]).find_elements("css selector", '[data-testid="deleted"]'))
    assert f"typo fixed {tag}" not in txt(shown(theirs["id"]))
    app.shot("08-deleted")


def test_a_room_opens_at_the_first_unread_and_receipts_and_typing_go_both_ways(ctx, server, api):
    """Carol's three messages arrive while another room is open: her room opens at the first of
    them under the "new messages" divider, and reading them tells Carol (her receipts on the server);
    Bob types: the app says so, then stops saying it; Bob reads my message: "Read" shows under it."""
    app: App = ctx["app"]
    peer: Peer = ctx["peer"]
    me = ctx["me"]
    tag = uuid.uuid4().hex[:6]
    open_room(app, "Bob Peer")
    carol = Peer(api, server, "Carol Unread")
    room = api.post("/rooms", {"user_id": [me]}, token=carol.user.token)
    sent = [carol.send(room, f"unread {i} {tag}") for i in range(3)]
    wait_for("Carol's room with three unread", lambda: [
        e for e in app.q("room-item") if "Carol Unread" in txt(e) and
        txt(e.find_element("css selector", '[data-testid="unread-badge"]')) == "3"])
    open_room(app, "Carol Unread")
    app.one("new-divider")
    # The first message after the divider (a day separator may come between).
    after = app.d.execute_script(
        "const d = document.querySelector('[data-testid=\"new-divider\"]').closest('.vrow');"
        "for (let n = d.nextElementSibling; n; n = n.nextElementSibling) {"
        "  const m = n.querySelector('[data-testid=\"message\"]'); if (m) return m.dataset.id; }"
        "return null;")
    assert after == sent[0]["id"], (after, sent[0]["id"])
    app.shot("08b-first-unread")

    def carol_sees_my_receipt():
        got = api.post("/read/receipts", {"room_id": room}, token=carol.user.token)
        return [r for r in got if r["user_id"] == me and r["seq"] >= sent[-1]["seq"]]

    wait_for("my read receipt on the server", carol_sees_my_receipt)
    carol.mqtt.close()

    # Bob types in our room: shown, then gone on its own.
    open_room(app, "Bob Peer")
    direct = ctx["direct"]
    assert api.post("/typing", {"room_id": direct}, token=peer.user.token) is True
    wait_for("Bob typing", lambda: txt(app.one("typing")) == "Bob Peer is typing…")
    app.shot("08c-typing")
    wait_for("the typing line cleared", lambda: txt(app.one("typing")) == "", timeout=15)

    # Bob reads my message: "Read" under it.
    app.type("composer", f"have you read this {tag}")
    app.click("send-button")
    mine = wait_for("my message sent", lambda: [
        e for e in app.q("message") if f"have you read this {tag}" in txt(e) and e.get_attribute("data-status") == "sent"])[0]
    seq = api.get(f"/messages/{mine.get_attribute('data-id')}", token=peer.user.token)["seq"]
    api.post("/read", {"room_id": direct, "seq": seq, "receipt": True}, token=peer.user.token)
    wait_for("Read under my message", lambda: txt(app.one("seen")).strip() == "Read")
    app.shot("08d-read-receipt")


def test_restarted_offline_the_app_shows_history_and_finds_it(ctx, server):
    ctx["app"].quit()
    stop_server(server)
    app = App(ctx["data"], server, "run2-offline")
    ctx["app"] = app
    app.one("room-list")
    banner = app.one("connection-banner")
    wait_for("an offline or connecting banner", lambda: banner.get_attribute("data-state") in ("offline", "connecting"))
    open_room(app, "Bob Peer")
    wait_for("the cached history", lambda: any("the quoted original" in t for t in message_texts(app)))
    app.shot("07-offline-history")
    app.type("search-input", "llama")
    hit = wait_for("a search hit", lambda: [h for h in app.q("search-result") if "llama" in txt(h).lower()])
    hit[0].click()
    wait_for("the message opened in context", lambda: any("what about this llama?" in t for t in message_texts(app)))
    app.shot("08-offline-search")
