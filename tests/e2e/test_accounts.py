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
