// Read state and typing in the conversation: "Read" / "Seen by" under my latest message (Rust's
// receipts), the typing line (Rust's typing events, cleared when they end), typing told while
// I type, and the settings that keep receipts and typing to myself.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import { typingLine } from "../lib/typing";
import { one } from "./dom";

afterEach(() => cleanup());

async function inRoom(opts: Parameters<typeof mockBackend>[0] = {}) {
  const backend = mockBackend({ seed: true, ackDelay: 0, ...opts });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  await app.openRoom("room:group");
  const input = (await waitFor(() => one("composer"))) as HTMLTextAreaElement;
  return { backend, app, input };
}

describe("read state and typing", () => {
  it("shows who has seen my latest message, and updates when Rust says so", async () => {
    const { backend, app, input } = await inRoom({ seenBy: ["Alice", "Bob"] });
    await fireEvent.input(input, { target: { value: "did you see this" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(app.conv?.msgs.some((m) => m.mine && m.status === "sent")).toBe(true));
    const mine = app.conv!.msgs.filter((m) => m.mine && m.seq !== null).at(-1)!;
    backend.emit({ type: "seen", room_id: "room:group", seen: { msg_id: mine.id!, count: 2, names: ["Alice", "Bob"], direct: false } });
    const seen = await waitFor(() => one("seen"));
    expect(seen.textContent?.trim()).toBe("Seen by 2");
    expect(seen.getAttribute("title")).toBe("Alice, Bob");
    // Another room's receipts do not show here.
    backend.emit({ type: "seen", room_id: "room:alice", seen: null });
    expect(one("seen").textContent?.trim()).toBe("Seen by 2");
    backend.emit({ type: "seen", room_id: "room:group", seen: null });
    await waitFor(() => expect(document.querySelector('[data-testid="seen"]')).toBeNull());
  });

  it("says who is typing until Rust says they stopped, and tells Rust while I type", async () => {
    const { backend, input } = await inRoom();
    backend.emit({ type: "typing", room_id: "room:group", names: ["Alice"] });
    await waitFor(() => expect(one("typing").textContent).toBe("Alice is typing…"));
    backend.emit({ type: "typing", room_id: "room:alice", names: ["Bob"] });
    expect(one("typing").textContent).toBe("Alice is typing…");
    backend.emit({ type: "typing", room_id: "room:group", names: [] });
    await waitFor(() => expect(one("typing").textContent).toBe(""));
    await fireEvent.input(input, { target: { value: "h" } });
    expect(backend.calls.filter((c) => c.cmd === "typing").map((c) => c.args.room_id)).toEqual(["room:group"]);
    // Emptying the composer is not typing.
    await fireEvent.input(input, { target: { value: "  " } });
    expect(backend.calls.filter((c) => c.cmd === "typing").length).toBe(1);
  });

  it("names a few typists and counts the rest", () => {
    expect(typingLine([])).toBe("");
    expect(typingLine(["Ann", "Bob"])).toBe("Ann and Bob are typing…");
    expect(typingLine(["Ann", "Bob", "Cy"])).toBe("Ann, Bob and 1 other are typing…");
    expect(typingLine(["Ann", "Bob", "Cy", "Di"])).toBe("Ann, Bob and 2 others are typing…");
  });

  it("keeps read receipts and typing to myself when the settings say so", async () => {
    const { backend, app } = await inRoom();
    app.settingsOpen = true;
    const receipts = (await waitFor(() => one("read-receipts-toggle"))) as HTMLInputElement;
    expect(receipts.checked).toBe(true);
    await fireEvent.click(receipts);
    await fireEvent.click(one("typing-toggle"));
    await waitFor(() => expect(app.settings.read_receipts).toBe(false));
    expect(app.settings.typing_indicators).toBe(false);
    const saved = backend.calls.filter((c) => c.cmd === "set_settings").at(-1)!.args.settings as Record<string, unknown>;
    expect([saved.read_receipts, saved.typing_indicators]).toEqual([false, false]);
  });
});
