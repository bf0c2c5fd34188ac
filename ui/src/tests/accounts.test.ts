// Accounts that cannot be lost, as the UI walks them (the mock stands in for Rust, which checks
// everything again): create with the phrase shown and three words asked back, "later" with a
// reminder, restore from a phrase / key / keystore (picked, dropped or pasted), the sign-out
// guard, and where no keychain answers, the encrypted file.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { one, q } from "./dom";
import { mockBackend, type MockOptions } from "../lib/mock";

afterEach(() => cleanup());

const type = (id: string, value: string) => fireEvent.input(one(id), { target: { value } });

async function start(opts: MockOptions = {}) {
  const backend = mockBackend({ ackDelay: 0, ...opts });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  return { backend, app };
}

/** The phrase on screen, once all 12 words are. */
const phraseWords = () =>
  waitFor(() => {
    const w = q("phrase-word").map((e) => e.textContent!);
    expect(w).toHaveLength(12);
    return w;
  });

const calls = (b: ReturnType<typeof mockBackend>, cmd: string) => b.calls.filter((c) => c.cmd === cmd);

describe("create", () => {
  it("shows the phrase, asks three words back, refuses wrong ones, then signs in backed up", async () => {
    const { backend } = await start();
    await waitFor(() => one("onboarding"));
    await fireEvent.click(one("create-key"));
    await fireEvent.click(one("sign-in"));
    const words = await phraseWords();
    expect(calls(backend, "sign_in_new")).toHaveLength(0);
    await fireEvent.click(one("phrase-next"));
    const quiz = [2, 7, 12];
    for (const p of quiz) await type(`quiz-word-${p}`, "zoo");
    await fireEvent.click(one("quiz-submit"));
    await waitFor(() => expect(one("quiz-error").textContent).toContain("not words"));
    expect(q("nickname")).toHaveLength(0);
    for (const p of quiz) await type(`quiz-word-${p}`, ` ${words[p - 1]!.toUpperCase()} `);
    await fireEvent.click(one("quiz-submit"));
    await waitFor(() => one("nickname"));
    const last = calls(backend, "sign_in_new").at(-1)!;
    expect(last.args.answers).toEqual(quiz.map((p) => words[p - 1]!.toUpperCase()));
    await type("nickname", "satoshi");
    await fireEvent.click(one("save-nickname"));
    await waitFor(() => one("room-list"));
    expect(q("backup-reminder")).toHaveLength(0);
  });

  it("later: signs in not backed up, and the reminder stays until the backup is done", async () => {
    const { backend, app } = await start();
    await waitFor(() => one("onboarding"));
    await fireEvent.click(one("sign-in"));
    await fireEvent.click(await waitFor(() => one("phrase-later")));
    expect(calls(backend, "sign_in_new").at(-1)!.args.answers).toBeNull();
    await waitFor(() => one("nickname"));
    await type("nickname", "hal");
    await fireEvent.click(one("save-nickname"));
    await waitFor(() => one("backup-reminder"));
    expect(app.account?.backed_up).toBe(false);
    await fireEvent.click(one("backup-now"));
    await fireEvent.click(await waitFor(() => one("backup-show-phrase")));
    await fireEvent.click(await waitFor(() => one("backup-reveal")));
    const words = await phraseWords();
    await fireEvent.click(one("phrase-next"));
    for (const p of [2, 7, 12]) await type(`quiz-word-${p}`, words[p - 1]);
    await fireEvent.click(one("quiz-submit"));
    await waitFor(() => one("backup-done"));
    expect(app.account?.backed_up).toBe(true);
    expect(q("backup-reminder")).toHaveLength(0);
  });
});

describe("restore", () => {
  it("from a phrase, a key, or a keystore dropped or pasted, each on the proposed server", async () => {
    const { backend } = await start();
    await waitFor(() => one("onboarding"));
    expect(one("server-line").textContent).toBe("Local server on this machine");
    await fireEvent.click(one("import-key"));
    expect((one("sign-in") as HTMLButtonElement).disabled).toBe(true);
    await type("restore-phrase", "abandon ".repeat(11) + "about");
    expect((one("sign-in") as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(one("sign-in"));
    await waitFor(() => one("nickname"));
    expect(calls(backend, "restore")[0].args).toMatchObject({
      env: { kind: "local" },
      restore: { kind: "phrase", phrase: "abandon ".repeat(11) + "about" },
    });
  });

  it("a dropped keystore file is read by Rust and opens with its password; a wrong one says so", async () => {
    const { backend } = await start();
    await waitFor(() => one("onboarding"));
    backend.emit({ type: "files_dropped", paths: ["/home/me/UTC--2026--abcd"] });
    await waitFor(() => expect(one("keystore-name").textContent).toBe("UTC--2026--abcd"));
    expect(calls(backend, "read_keystore_file")[0].args.path).toBe("/home/me/UTC--2026--abcd");
    await type("keystore-password", "nope");
    await fireEvent.click(one("sign-in"));
    await waitFor(() => expect(one("onboarding-error").textContent).toContain("wrong password"));
    await type("keystore-password", "testpassword");
    await fireEvent.click(one("sign-in"));
    await waitFor(() => one("nickname"));
    expect(calls(backend, "restore").at(-1)!.args.restore).toMatchObject({ kind: "keystore", password: "testpassword" });
  });

  it("a private key is checked before it is sent, and the old presets are marked gone", async () => {
    const { backend } = await start();
    await waitFor(() => one("onboarding"));
    await fireEvent.click(one("import-key"));
    await fireEvent.click(one("restore-key-tab"));
    await type("private-key", "0x1234");
    expect((one("sign-in") as HTMLButtonElement).disabled).toBe(true);
    const opts = [...document.querySelectorAll<HTMLOptionElement>('[data-testid="env-kind"] option')];
    expect(opts.filter((o) => o.disabled).map((o) => o.value)).toEqual(["production", "development"]);
    await type("private-key", "ab".repeat(32));
    await fireEvent.click(one("sign-in"));
    await waitFor(() => one("nickname"));
    expect(calls(backend, "restore")[0].args.restore).toMatchObject({ kind: "private_key" });
  });
});

describe("sign-out", () => {
  it("refuses an account never backed up until the confirmation is typed, and offers the backup", async () => {
    const { backend, app } = await start({ seed: true, backedUp: false });
    await waitFor(() => one("backup-reminder"));
    await fireEvent.click(one("settings-button"));
    await fireEvent.click(await waitFor(() => one("sign-out")));
    await waitFor(() => one("sign-out-guard"));
    const confirm = one("sign-out-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await type("sign-out-typed", "delete");
    expect(confirm.disabled).toBe(true);
    await fireEvent.click(one("sign-out-backup"));
    await waitFor(() => one("backup-dialog"));
    expect(q("sign-out-guard")).toHaveLength(0);
    expect(calls(backend, "sign_out")).toHaveLength(0);
    await fireEvent.keyDown(document.body, { key: "Escape" });
    await waitFor(() => expect(q("backup-dialog")).toHaveLength(0));
    await fireEvent.click(one("sign-out"));
    await waitFor(() => one("sign-out-typed"));
    await type("sign-out-typed", "Delete my key");
    await fireEvent.click(one("sign-out-confirm"));
    await waitFor(() => expect(app.phase).toBe("onboarding"));
    expect(calls(backend, "sign_out")[0].args.confirmation).toBe("Delete my key");
  });
});

describe("no keychain", () => {
  it("says so in plain words and seals the key in a file with a strong enough passphrase", async () => {
    const { backend } = await start({ keychain: "missing" });
    await waitFor(() => one("no-keychain"));
    expect(one("no-keychain").textContent).toContain("no secret service provider");
    expect(q("sign-in")).toHaveLength(0);
    await type("sealed-passphrase", "abc");
    await type("sealed-passphrase-repeat", "abc");
    await waitFor(() => expect(one("sealed-passphrase-strength").textContent).toContain("too weak"));
    expect((one("sealed-create") as HTMLButtonElement).disabled).toBe(true);
    await type("sealed-passphrase", "plum-orbit-cactus-97");
    await type("sealed-passphrase-repeat", "plum-orbit-cactus-97");
    await waitFor(() => expect((one("sealed-create") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(one("sealed-create"));
    await waitFor(() => one("sign-in"));
    expect(calls(backend, "use_sealed_store")[0].args.passphrase).toBe("plum-orbit-cactus-97");
  });

  it("a locked file: the rooms show, and the banner unlocks it (a wrong passphrase says so)", async () => {
    const { backend, app } = await start({ seed: true, keychain: "locked" });
    await waitFor(() => one("unlock-banner"));
    expect(q("room-item").length).toBeGreaterThan(0);
    await type("unlock-passphrase", "not it");
    await fireEvent.click(one("unlock-submit"));
    await waitFor(() => expect(one("unlock-banner").textContent).toContain("wrong passphrase"));
    await type("unlock-passphrase", "plum-orbit-cactus-97");
    await fireEvent.click(one("unlock-submit"));
    await waitFor(() => expect(q("unlock-banner")).toHaveLength(0));
    expect(app.secretsLocked).toBe(false);
    expect(calls(backend, "unlock_secrets")).toHaveLength(2);
  });
});
