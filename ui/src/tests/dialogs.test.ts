// Dialogs and menus as a keyboard user meets them: focus stays inside a dialog and comes back
// to its opener, Escape closes the top dialog wherever focus is, destructive actions confirm in
// one dialog, menus close on Escape and outside clicks.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { one, q } from "./dom";
import { mockBackend } from "../lib/mock";

afterEach(() => cleanup());


async function signedIn() {
  const backend = mockBackend({ seed: true, ackDelay: 0 });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  await waitFor(() => expect(q("room-item").length).toBeGreaterThan(0));
  return { backend, app };
}

describe("dialogs", () => {
  it("trap focus, close on Escape from anywhere, and give focus back to their opener", async () => {
    const { app } = await signedIn();
    const opener = one("settings-button");
    opener.focus();
    await fireEvent.click(opener);
    const panel = await waitFor(() => one("settings-panel"));
    await waitFor(() => expect(panel.contains(document.activeElement)).toBe(true));
    // Tab from the last element wraps to the first; Shift+Tab from the first to the last.
    const tabbable = [...panel.querySelectorAll<HTMLElement>("button, input, select, textarea")];
    tabbable[tabbable.length - 1].focus();
    await fireEvent.keyDown(tabbable[tabbable.length - 1], { key: "Tab" });
    expect(panel.contains(document.activeElement)).toBe(true);
    tabbable[0].focus();
    await fireEvent.keyDown(tabbable[0], { key: "Tab", shiftKey: true });
    expect(panel.contains(document.activeElement)).toBe(true);
    // A re-render that loses focus (the body has it): Escape still closes the dialog.
    (document.activeElement as HTMLElement).blur();
    await fireEvent.keyDown(document.body, { key: "Escape" });
    await waitFor(() => expect(q("settings-panel").length).toBe(0));
    expect(app.settingsOpen).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });

  it("confirm destructive actions in one dialog on top: Escape closes only that one, Cancel changes nothing", async () => {
    const { app, backend } = await signedIn();
    await fireEvent.click(one("settings-button"));
    await fireEvent.click(await waitFor(() => one("sign-out")));
    const dialog = await waitFor(() => one("confirm-dialog"));
    expect(dialog.getAttribute("role")).toBe("alertdialog");
    // Focus starts on Cancel: Enter right away harms nothing.
    await waitFor(() => expect(document.activeElement).toBe(one("confirm-cancel")));
    await fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(q("confirm-dialog").length).toBe(0));
    expect(q("settings-panel").length).toBe(1);
    expect(app.phase).toBe("main");
    await fireEvent.click(one("sign-out"));
    await fireEvent.click(await waitFor(() => one("confirm-cancel")));
    await tick();
    expect(q("confirm-dialog").length).toBe(0);
    expect(backend.calls.some((c) => c.cmd === "sign_out")).toBe(false);
    // Confirmed, it happens.
    await fireEvent.click(one("sign-out"));
    await fireEvent.click(await waitFor(() => one("sign-out-confirm")));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "sign_out")).toBe(true));
  });

  it("leaving a room confirms in the same dialog", async () => {
    const { app, backend } = await signedIn();
    await app.openRoom("room:group");
    app.side = { kind: "info" };
    await fireEvent.click(await waitFor(() => one("leave-room")));
    await waitFor(() => one("confirm-dialog"));
    await fireEvent.click(one("confirm-cancel"));
    expect(backend.calls.some((c) => c.cmd === "leave_room")).toBe(false);
    await fireEvent.click(one("leave-room"));
    await fireEvent.click(await waitFor(() => one("leave-confirm")));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "leave_room")).toBe(true));
  });
});

describe("focus on room switch", () => {
  it("a room opened by click or shortcut puts focus in its composer; arrow keys in the room list keep it there", async () => {
    await signedIn();
    const items = () => q("room-item");
    await fireEvent.click(items()[0]);
    await waitFor(() => expect(document.activeElement).toBe(one("composer")));
    // Arrow keys walk the list: the focus follows the selected room, not the composer.
    items()[0].focus();
    await fireEvent.keyDown(items()[0], { key: "ArrowDown" });
    await waitFor(() => expect(document.activeElement).toBe(items()[1]));
    await tick();
    await tick();
    expect(document.activeElement).toBe(items()[1]);
    // Alt+↓ from anywhere switches and focuses the composer.
    await fireEvent.keyDown(window, { key: "ArrowDown", altKey: true });
    await waitFor(() => expect(document.activeElement).toBe(one("composer")));
  });
});

describe("radio groups", () => {
  it("are one Tab stop, and the arrow keys move and choose", async () => {
    const { app } = await signedIn();
    await fireEvent.click(one("settings-button"));
    const system = await waitFor(() => one("theme-system"));
    expect([system.tabIndex, one("theme-light").tabIndex, one("theme-dark").tabIndex]).toEqual([0, -1, -1]);
    system.focus();
    await fireEvent.keyDown(system, { key: "ArrowRight" });
    await waitFor(() => expect(app.settings.theme).toBe("light"));
    expect(document.activeElement).toBe(one("theme-light"));
    await waitFor(() => expect(one("theme-light").tabIndex).toBe(0));
    await fireEvent.keyDown(one("theme-light"), { key: "End" });
    await waitFor(() => expect(app.settings.theme).toBe("dark"));
    await fireEvent.keyDown(one("theme-dark"), { key: "ArrowRight" });
    await waitFor(() => expect(app.settings.theme).toBe("system"));
  });
});
