// Several accounts side by side: the rail shows each with Rust's counts, a click or Ctrl+2
// switches (the UI reloads from boot and shows only that account), "add account" opens the
// first-run screen with a way back, a notification of the other account opens it at its room,
// and signing out of one leaves the other on screen.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import { one, q } from "./dom";

afterEach(() => cleanup());

async function start(otherAccount = true) {
  const backend = mockBackend({ seed: true, ackDelay: 0, otherAccount });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  return { backend, app };
}

const tab = (slot: number) => q("account-tab").find((t) => t.dataset.slot === String(slot))!;

describe("accounts side by side", () => {
  it("one account: no rail, and Settings offers to add another", async () => {
    const { app } = await start(false);
    await waitFor(() => expect(app.phase).toBe("main"));
    expect(q("account-rail")).toHaveLength(0);
    await fireEvent.click(one("settings-button"));
    await waitFor(() => one("add-account-settings"));
  });

  it("the rail shows both accounts with their counts; a click switches and shows only that one", async () => {
    const { app, backend } = await start();
    await waitFor(() => expect(q("account-tab")).toHaveLength(2));
    expect(tab(0).getAttribute("aria-current")).toBe("true");
    // The other account's counts are Rust's (a mention wins the badge).
    expect(tab(1).getAttribute("aria-label")).toBe("Carol Second, 4 unread, 1 mentions");
    expect(tab(1).querySelector('[data-testid="account-mentions"]')!.textContent).toBe("@1");
    const mine = app.rooms.length;
    expect(mine).toBeGreaterThan(0);
    await app.openRoom(app.rooms[0].room_id);

    await fireEvent.click(tab(1));
    await waitFor(() => expect(app.account?.profile?.display_name).toBe("Carol Second"));
    expect(backend.calls.some((c) => c.cmd === "switch_account" && c.args.slot === 1)).toBe(true);
    // Nothing of the first account is left on screen.
    expect(app.rooms).toHaveLength(0);
    expect(app.roomId).toBeNull();
    expect(q("room-item")).toHaveLength(0);
    await waitFor(() => expect(tab(1).getAttribute("aria-current")).toBe("true"));
    expect(tab(0).getAttribute("aria-current")).toBeNull();

    // Ctrl+1 back: the first account's rooms again.
    await fireEvent.keyDown(window, { key: "1", ctrlKey: true });
    await waitFor(() => expect(app.rooms).toHaveLength(mine));
    expect(app.account?.user_id).not.toBe("user:carol");
  });

  it("add account: the first-run screen, with a way back to my accounts", async () => {
    const { app } = await start();
    await waitFor(() => one("add-account"));
    await fireEvent.click(one("add-account"));
    await waitFor(() => expect(app.phase).toBe("onboarding"));
    expect(one("onboarding").textContent).toContain("Add an account");
    await fireEvent.click(one("cancel-add-account"));
    await waitFor(() => expect(app.phase).toBe("main"));
    expect(q("account-tab")).toHaveLength(2);
    expect(app.rooms.length).toBeGreaterThan(0);
  });

  it("add account and sign in: three accounts in the rail, the new one on screen", async () => {
    const { app } = await start();
    await waitFor(() => one("add-account"));
    await fireEvent.click(one("add-account"));
    await waitFor(() => expect(app.phase).toBe("onboarding"));
    await fireEvent.click(one("import-key"));
    await fireEvent.click(await waitFor(() => one("restore-key-tab")));
    await fireEvent.input(one("private-key"), { target: { value: "11".repeat(32) } });
    await fireEvent.click(one("sign-in"));
    await waitFor(() => expect([app.phase, q("onboarding-error")[0]?.textContent]).toEqual(["nickname", undefined]));
    // (A new account without a nickname is asked for one first; the rail comes with the rooms.)
    await waitFor(() => expect(app.accounts.map((t) => [t.slot, t.signed_in, t.active])).toEqual([[0, true, false], [1, true, false], [2, true, true]]));
  });

  it("a notification of the other account opens that account at its room", async () => {
    const { app, backend } = await start();
    await waitFor(() => expect(q("account-tab")).toHaveLength(2));
    // Rust switched (a click on the other account's notification) and asks for its room.
    await fireEvent.click(tab(1));
    await waitFor(() => expect(app.account?.user_id).toBe("user:carol"));
    backend.clickNotification(0, "room:group", null);
    await waitFor(() => expect(app.roomId).toBe("room:group"));
    expect(app.account?.user_id).not.toBe("user:carol");
  });

  it("signing out of one account leaves the other on screen", async () => {
    const { app } = await start();
    await waitFor(() => expect(q("account-tab")).toHaveLength(2));
    await fireEvent.click(tab(1));
    await waitFor(() => expect(app.account?.user_id).toBe("user:carol"));
    await app.signOut();
    await waitFor(() => expect(app.phase).toBe("main"));
    await waitFor(() => expect(app.account?.user_id).not.toBe("user:carol"));
    expect(app.rooms.length).toBeGreaterThan(0);
    expect(q("account-rail")).toHaveLength(0);
  });
});
