"""Accounts in the real app (issue 12): restore from a recovery phrase that eth-account made
(the same address comes back), export a keystore file that eth-account opens, restore from a
keystore file eth-account wrote, and the sign-out guard of an account never backed up: it offers
the backup, and after the phrase is confirmed, signs out.
"""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from conftest import App, wait_for

Account.enable_unaudited_hdwallet_features()


@pytest.fixture(scope="module")
def server(own_server):
    """This module's own server (test_desktop.py stops the session's)."""
    return own_server


def txt(el) -> str:
    return el.get_attribute("textContent") or ""


def nickname(app: App, name: str) -> None:
    app.type("nickname", name)
    app.click("save-nickname")
    app.one("room-list")


def shown_address(app: App) -> str:
    app.click("settings-button")
    addr = txt(app.one("account-address")).strip().lower()
    return addr


def invoke(app: App, cmd: str, args: dict):
    """A command through the app's own IPC, as the UI calls it (for what a native dialog would ask)."""
    res = app.d.execute_async_script(
        "const [cmd, args, done] = arguments;"
        "window.__TAURI_INTERNALS__.invoke(cmd, args).then((v) => done({ok: v}), (e) => done({err: e}));",
        cmd, args)
    assert "err" not in res, res
    return res["ok"]


def sign_out_backed_up(app: App) -> None:
    app.click("sign-out")
    app.click("sign-out-confirm")
    app.one("onboarding")


def test_restore_from_a_phrase_and_export_a_keystore_eth_account_opens(tmp_path, server):
    acct, phrase = Account.create_with_mnemonic()
    app = App(tmp_path / "data", server, "acc-phrase")
    try:
        app.click("import-key")
        app.type("restore-phrase", "  " + phrase.upper().replace(" ", "\n  ") + " ")
        app.shot("01-restore-phrase")
        app.click("sign-in")
        nickname(app, "Ida Restore")
        assert not app.q("backup-reminder")
        assert shown_address(app) == acct.address.lower()
        assert "Backed up" in txt(app.one("backup-state"))
        # Export: a weak password is refused, a good one writes a file eth-account opens.
        out = tmp_path / "export.json"
        app.click("open-backup")
        app.type("export-password", "abc")
        wait_for("the strength", lambda: "too weak" in txt(app.one("export-password-strength")))
        assert not app.one("backup-export").is_enabled()
        app.shot("02-export")
        app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        wait_for("the backup dialog closed", lambda: not app.q("backup-dialog"))
        state = invoke(app, "export_keystore", {"password": "plum-orbit-cactus-97", "path": str(out)})
        assert state == {"backed_up": True, "has_phrase": True}
        key = Account.decrypt(json.loads(out.read_text()), "plum-orbit-cactus-97")
        assert Account.from_key(key).address == acct.address
        assert (out.stat().st_mode & 0o777) == 0o600
        sign_out_backed_up(app)
    finally:
        app.quit()


def test_restore_from_a_keystore_file_eth_account_wrote(tmp_path, server):
    acct = Account.create()
    keystore = json.dumps(Account.encrypt(acct.key, "their pass 42"))
    app = App(tmp_path / "data", server, "acc-keystore")
    try:
        app.click("import-key")
        app.click("restore-keystore-tab")
        app.js("document.querySelector('[data-testid=\"keystore-drop\"] + details').open = true")
        el = app.one("keystore-json")
        # Pasted, as from a password manager (a picked or dropped file goes through Rust instead).
        app.js("const [el, v] = arguments; el.value = v; el.dispatchEvent(new Event('input', {bubbles: true}))", el, keystore)
        app.type("keystore-password", "wrong")
        app.click("sign-in")
        wait_for("the wrong password said", lambda: "wrong password" in txt(app.one("onboarding-error")))
        app.type("keystore-password", "their pass 42")
        app.click("sign-in")
        nickname(app, "Jo Keystore")
        assert shown_address(app) == acct.address.lower()
        sign_out_backed_up(app)
    finally:
        app.quit()


def test_sign_out_of_an_account_never_backed_up_offers_the_backup_first(tmp_path, server):
    app = App(tmp_path / "data", server, "acc-guard")
    try:
        app.click("create-key")
        app.click("sign-in")
        words = [txt(w) for w in wait_for("the phrase", lambda: app.q("phrase-word"))]
        app.click("phrase-later")
        nickname(app, "Kim Later")
        app.one("backup-reminder")
        app.shot("01-reminder")
        app.click("settings-button")
        app.click("sign-out")
        app.one("sign-out-guard")
        assert not app.one("sign-out-confirm").is_enabled()
        app.shot("02-guard")
        app.click("sign-out-backup")
        app.click("backup-show-phrase")
        app.click("backup-reveal")
        again = [txt(w) for w in wait_for("the phrase again", lambda: app.q("phrase-word"))]
        assert again == words
        app.click("phrase-next")
        for el in wait_for("the quiz", lambda: app.d.find_elements("css selector", '[data-testid^="quiz-word-"]')):
            pos = int(el.get_attribute("data-testid").rsplit("-", 1)[1])
            el.send_keys(words[pos - 1])
        app.click("quiz-submit")
        app.one("backup-done")
        app.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        wait_for("the reminder gone", lambda: not app.q("backup-reminder"))
        app.one("settings-panel")
        sign_out_backed_up(app)
        # The same words sign back in to the same account.
        app.click("import-key")
        app.type("restore-phrase", " ".join(words))
        app.click("sign-in")
        app.one("room-list")
        assert not app.q("nickname"), "the profile came back from the server"
    finally:
        app.quit()


def test_a_profile_change_is_seen_by_another_client(tmp_path, server):
    """Nickname and avatar changed in Settings (opened by a click on my name) reach the server: another
    client finds me under the new name, with the avatar, and by the start of my address."""
    from conftest import interop

    api = interop.Api(server.http_url)
    other = interop.login_siwe(api, server, Account.create())
    app = App(tmp_path / "data", server, "acc-profile")
    try:
        app.click("import-key")
        app.click("restore-key-tab")
        me = Account.create()
        app.type("private-key", me.key.hex())
        app.click("sign-in")
        nickname(app, "Lou Before")
        app.click("my-profile")
        app.one("profile-section")
        app.type("profile-nickname", "Lou After")
        app.type("profile-avatar", "https://example.com/lou.png")
        app.click("profile-save")
        wait_for("the new name in the sidebar", lambda: "Lou After" in txt(app.one("my-profile")))
        found = api.post("/search", {"keyword": "Lou After"}, token=other.token)
        assert [(u["nick_name"], u["avatar_url"]) for u in found] == [("Lou After", "https://example.com/lou.png")], found
        by_start = api.post("/search", {"keyword": me.address[:10]}, token=other.token)
        assert any(u["nick_name"] == "Lou After" for u in by_start), by_start
        app.click("show-qr")
        app.one("address-qr")
        app.shot("01-profile")
    finally:
        app.quit()


def test_two_accounts_receive_at_once_and_a_notification_opens_the_right_one(tmp_path, server):
    """Two accounts side by side: both receive while one is on screen (the other's count on the
    rail), its notification is labelled with the account, and a click on it (dunst invokes the
    default action) puts that account on screen at the message."""
    import subprocess
    import uuid

    from conftest import interop, notifications

    api = interop.Api(server.http_url)
    keys, users = {}, {}
    for who, nick in (("a", "Ann Alpha"), ("b", "Bea Bravo")):
        keys[who] = Account.create()
        users[who] = interop.login_siwe(api, server, keys[who])
        api.post("/profile", {"nick_name": nick}, token=users[who].token)
    peer = interop.login_siwe(api, server, Account.create())
    api.post("/profile", {"nick_name": "Pat Peer"}, token=peer.token)
    mqtt = interop.Paho(server, peer.user_id, peer.token).connect_ok()

    def send(room: str, text: str, to: str) -> None:
        m = interop.text_message(peer.user_id, room, text, client_msg_id=uuid.uuid4().hex)
        m["at_user_ids"] = [to]
        mqtt.subscribe_ok(f"chat/{room}")
        mqtt.publish(f"msg/{peer.user_id}", m)
        mqtt.wait_message(f"chat/{room}", lambda b: b.get("client_msg_id") == m["client_msg_id"])

    def restore(key) -> None:
        app.click("import-key")
        app.click("restore-key-tab")
        app.type("private-key", key.key.hex())
        app.click("sign-in")
        app.one("room-list")

    def tab(slot_of: str):
        return [t for t in app.q("account-tab") if t.get_attribute("title").startswith(slot_of)]

    app = App(tmp_path / "data", server, "acc-two")
    try:
        restore(keys["a"])
        assert not app.q("account-rail"), "one account: no rail"
        app.click("settings-button")
        app.click("add-account-settings")
        app.one("cancel-add-account")
        restore(keys["b"])
        wait_for("two accounts on the rail", lambda: len(app.q("account-tab")) == 2)
        assert tab("Bea Bravo")[0].get_attribute("aria-current") == "true"

        room_a = api.post("/rooms", {"user_id": [users["a"].user_id]}, token=peer.token)
        room_b = api.post("/rooms", {"user_id": [users["b"].user_id]}, token=peer.token)
        tag = uuid.uuid4().hex[:6]
        send(room_b, f"@Bea Bravo for b {tag}", users["b"].user_id)
        wait_for("B's room on screen", lambda: [e for e in app.q("room-item") if e.get_attribute("data-room-id") == room_b])
        subprocess.run(["dunstctl", "close-all"], check=True, timeout=10)
        send(room_a, f"@Ann Alpha for a {tag}", users["a"].user_id)
        # A receives too, off screen: its tab counts the mention; its rooms are not shown.
        wait_for("A's mention on the rail", lambda: tab("Ann Alpha")[0].find_elements("css selector", '[data-testid="account-mentions"]'))
        assert not [e for e in app.q("room-item") if e.get_attribute("data-room-id") == room_a], "A's room is not in B's list"
        wait_for("A's notification, labelled with the account",
                 lambda: f"Ann Alpha · " in notifications() and f"for a {tag}" in notifications())
        app.shot("02-two-accounts")
        subprocess.run(["dunstctl", "action", "0"], check=True, timeout=10)
        wait_for("A on screen", lambda: tab("Ann Alpha") and tab("Ann Alpha")[0].get_attribute("aria-current") == "true")
        wait_for("A's room open at the message", lambda: [
            m for m in app.q("message") if f"for a {tag}" in txt(m)])
        assert [e for e in app.q("room-item") if e.get_attribute("data-room-id") == room_a]
        assert not [e for e in app.q("room-item") if e.get_attribute("data-room-id") == room_b], "B's room is not in A's list"
        app.shot("03-notification-opened-a")
    finally:
        app.quit()
        mqtt.close()
