// Public channels through the mock seam: the anonymous view, live messages, polls, moderation.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { ChannelFeed } from "../lib/channel.svelte";
import { mockBackend } from "../lib/mock";
import type { ChannelMessageView } from "../lib/bindings";

afterEach(() => cleanup());

const q = (c: HTMLElement, id: string) => [...c.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const HTTP = "http://127.0.0.1:8780";

function chat(id: string, user_id: string, room_id: string, seq: number | null): ChannelMessageView {
  return { id, room_id, seq, user_id, sender_name: user_id, roles: [], created_ms: 0, text: id, parts: [{ kind: "text", text: id }], whisper: false, mine: false };
}

describe("channel feed", () => {
  it("applies messages, deletions, purges, clears, polls, timeouts and state; adopts the room id a message names", () => {
    const backend = mockBackend();
    const f = new ChannelFeed(backend.commands, {
      channel: "some-slug",
      room_id: "some-slug",
      status: { state: { state: "connecting", endpoint: "" }, online: false, label: "Connecting…", can_write: false, can_vote: false, moderator: false },
      messages: [],
    }, true);
    const R = "64b0c0ffee00000000000001";
    // Another room's event is not ours, unless it is a message naming the room we could not resolve.
    expect(f.apply({ type: "channel", room_id: "other", update: { kind: "cleared" } })).toBe(false);
    expect(f.apply({ type: "channel", room_id: R, update: { kind: "message", message: chat("b", "u2", R, 2) } })).toBe(true);
    expect(f.roomId).toBe(R);
    f.apply({ type: "channel", room_id: R, update: { kind: "message", message: chat("a", "u1", R, 1) } });
    f.apply({ type: "channel", room_id: R, update: { kind: "message", message: chat("a", "u1", R, 1) } });
    f.apply({ type: "channel", room_id: R, update: { kind: "message", message: chat("c", "u1", R, 3) } });
    expect(f.messages.map((m) => m.id)).toEqual(["a", "b", "c"]);
    f.apply({ type: "channel", room_id: R, update: { kind: "deleted", ids: ["b"] } });
    expect(f.messages.map((m) => m.id)).toEqual(["a", "c"]);
    f.apply({ type: "channel", room_id: "some-slug", update: { kind: "purged", user_id: "u1" } });
    expect(f.messages).toEqual([]);
    f.apply({ type: "channel", room_id: R, update: { kind: "message", message: chat("d", "u3", R, 4) } });
    f.apply({ type: "channel", room_id: R, update: { kind: "cleared" } });
    expect(f.messages).toEqual([]);
    const poll = { question: "Q?", answers: [{ text: "a", votes: 0, percent: 0 }, { text: "b", votes: 0, percent: 0 }], voters: 0, ends_ms: 0, ended: false, author_name: "" };
    f.voted = 1;
    f.apply({ type: "channel", room_id: R, update: { kind: "poll", poll } });
    expect(f.voted).toBeNull();
    f.apply({ type: "channel", room_id: R, update: { kind: "timeout", user_id: "u1", user_name: "u1", text: "u1 is timed out for 5 minutes" } });
    expect(f.notices).toEqual(["u1 is timed out for 5 minutes"]);
    f.apply({ type: "channel", room_id: R, update: { kind: "status", status: { ...f.status, online: true, moderator: true } } });
    expect(f.status.moderator).toBe(true);
  });
});

describe("anonymous public channel", () => {
  it("opens by slug from the onboarding screen, shows history and live messages as text, and drops deleted ones", async () => {
    const backend = mockBackend();
    const app = new AppState(backend);
    await app.start();
    const { container } = render(App, { props: { app } });
    await waitFor(() => expect(q(container, "onboarding").length).toBe(1));
    const input = q(container, "channel-id-input")[0] as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "mock-apes" } });
    await fireEvent.click(q(container, "channel-open")[0]);
    await waitFor(() => expect(q(container, "channel-view").length).toBe(1));
    expect(backend.calls.find((c) => c.cmd === "channel_open_public")?.args).toEqual({ http: HTTP, channel: "mock-apes" });
    const msgs = () => q(container, "channel-message");
    expect(msgs().length).toBe(2);
    // Text, never markup; only http(s) links.
    expect(container.querySelector(".pub b, .pub script")).toBeNull();
    expect(container.textContent).toContain("<b>not bold</b>");
    expect([...container.querySelectorAll(".pub a")].map((a) => a.getAttribute("href"))).toEqual(["https://opensea.io/collection/mock-apes"]);
    // Live.
    const said = backend.channelSay("mock-apes", "user:zed", "live one");
    await waitFor(() => expect(msgs().length).toBe(3));
    // A moderator deletes it elsewhere: it disappears.
    backend.channelEmit(said.room_id, { kind: "deleted", ids: [said.id] });
    await waitFor(() => expect(msgs().length).toBe(2));
    // Read only: no moderation, votes disabled; the call to action goes back to signing in.
    expect(q(container, "mod-menu").length).toBe(0);
    backend.channelEmit(said.room_id, { kind: "poll", poll: { question: "Best ape?", answers: [{ text: "a", votes: 1, percent: 100 }, { text: "b", votes: 0, percent: 0 }], voters: 1, ends_ms: Date.now() + 60_000, ended: false, author_name: "alice" } });
    await waitFor(() => expect(q(container, "poll").length).toBe(1));
    expect(q(container, "poll-option").every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await fireEvent.click(q(container, "channel-sign-in")[0]);
    await waitFor(() => expect(q(container, "sign-in").length).toBe(1));
    expect(backend.calls.some((c) => c.cmd === "channel_close")).toBe(true);
  });

  it("an unknown channel says so", async () => {
    const backend = mockBackend();
    const app = new AppState(backend);
    await app.start();
    await expect(app.openPublicChannel("no-such-thing", HTTP)).rejects.toMatchObject({ code: "not_found" });
    expect(app.publicChannel).toBeNull();
  });
});

describe("collection room channel (signed in)", () => {
  async function moderatorInRoom() {
    const backend = mockBackend({ seed: true, ackDelay: 0 });
    const app = new AppState(backend);
    await app.start();
    const room = await app.cmds.join_collection("my-coll", "My Coll", "");
    const { container } = render(App, { props: { app } });
    await app.openRoom(room.room_id);
    await waitFor(() => expect(app.channel?.status.moderator).toBe(true));
    return { backend, app, container, room };
  }

  it("moderators start a poll, vote, see the results; others' messages get a mod menu; deletions, purges and clears drop messages", async () => {
    const { backend, app, container, room } = await moderatorInRoom();
    backend.receive(room.room_id, "user:alice", "hello from alice");
    backend.receive(room.room_id, "user:alice", "and again");
    backend.receive(room.room_id, "user:bob", "bob here");
    await waitFor(() => expect(q(container, "message").length).toBe(3));
    // Poll.
    await fireEvent.click(q(container, "poll-start")[0]);
    await fireEvent.input(q(container, "poll-question")[0], { target: { value: "Floor up?" } });
    await fireEvent.input(q(container, "poll-answers")[0], { target: { value: "yes\nno" } });
    await fireEvent.input(q(container, "poll-seconds")[0], { target: { value: "1" } });
    await fireEvent.click(q(container, "poll-submit")[0]);
    await waitFor(() => expect(q(container, "poll-option").length).toBe(2));
    await fireEvent.click(q(container, "poll-option")[0]);
    await waitFor(() => expect(app.channel?.voted).toBe(0));
    await waitFor(() => expect(q(container, "poll-results").length).toBe(1), { timeout: 3000 });
    expect(q(container, "poll-results")[0].textContent).toContain("100%");
    await fireEvent.click(q(container, "poll-dismiss")[0]);
    await waitFor(() => expect(q(container, "poll").length).toBe(0));
    // Delete one message through the mod menu.
    const alice = q(container, "message").find((m) => m.textContent?.includes("hello from alice"))!;
    // The menu takes focus, moves with the arrows, and closes on Escape (focus back on its button)
    // and on a click outside it.
    const trigger = alice.querySelector<HTMLElement>('[data-testid="mod-menu"]')!;
    await fireEvent.click(trigger);
    await waitFor(() => expect(document.activeElement?.getAttribute("data-testid")).toBe("mod-delete"));
    await fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement?.getAttribute("data-testid")).toBe("mod-timeout");
    await fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(alice.querySelector('[role="menu"]')).toBeNull());
    expect(document.activeElement).toBe(trigger);
    await fireEvent.click(trigger);
    await waitFor(() => expect(alice.querySelector('[role="menu"]')).not.toBeNull());
    await fireEvent.pointerDown(document.body);
    await waitFor(() => expect(alice.querySelector('[role="menu"]')).toBeNull());
    await fireEvent.click(alice.querySelector('[data-testid="mod-menu"]')!);
    await fireEvent.click(alice.querySelector('[data-testid="mod-delete"]')!);
    // Deletions ask first, in a dialog at the end of <body>; Cancel deletes nothing.
    await fireEvent.click(q(document.body, "confirm-cancel")[0]);
    expect(q(document.body, "confirm-dialog").length).toBe(0);
    expect(q(container, "message").length).toBe(3);
    await fireEvent.click(alice.querySelector('[data-testid="mod-menu"]')!);
    await fireEvent.click(alice.querySelector('[data-testid="mod-delete"]')!);
    await fireEvent.click(q(document.body, "mod-delete-confirm")[0]);
    await waitFor(() => expect(q(container, "message").length).toBe(2));
    // Time out and purge Alice.
    const again = q(container, "message").find((m) => m.textContent?.includes("and again"))!;
    await fireEvent.click(again.querySelector('[data-testid="mod-menu"]')!);
    // The moderator picks how long.
    await fireEvent.click(again.querySelector('[data-testid="mod-timeout"][data-seconds="3600"]')!);
    await waitFor(() => expect(container.textContent).toContain("alice is timed out"));
    expect(backend.calls.find((c) => c.cmd === "channel_timeout")?.args).toMatchObject({ user: "user:alice", seconds: 3600 });
    await fireEvent.click(again.querySelector('[data-testid="mod-menu"]')!);
    await fireEvent.click(again.querySelector('[data-testid="mod-purge"]')!);
    await fireEvent.click(q(document.body, "mod-purge-confirm")[0]);
    await waitFor(() => expect(q(container, "message").length).toBe(1));
    expect(backend.calls.find((c) => c.cmd === "channel_purge")?.args).toEqual({ channel: room.room_id, user: "user:alice" });
    // Clear.
    await fireEvent.click(q(container, "mod-clear")[0]);
    await fireEvent.click(q(document.body, "mod-clear-confirm")[0]);
    await waitFor(() => expect(q(container, "message").length).toBe(0));
  });

  it("members who do not moderate get no tools, and leaving the room closes its channel", async () => {
    const backend = mockBackend({ seed: true, ackDelay: 0 });
    const app = new AppState(backend);
    await app.start();
    const { container } = render(App, { props: { app } });
    await app.openRoom("room:coll");
    await waitFor(() => expect(app.channel?.status.online).toBe(true));
    expect(app.channel?.status.moderator).toBe(false);
    expect(q(container, "mod-menu").length).toBe(0);
    expect(q(container, "mod-clear").length).toBe(0);
    await app.openRoom("room:alice");
    expect(app.channel).toBeNull();
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "channel_close" && c.args.channel === "room:coll")).toBe(true));
  });

  it("a signed-in user opens a public channel from the sidebar and joins it to write", async () => {
    const backend = mockBackend({ seed: true, ackDelay: 0 });
    const app = new AppState(backend);
    await app.start();
    const { container } = render(App, { props: { app } });
    await fireEvent.click(q(container, "public-channel-button")[0]);
    await fireEvent.input(q(container, "channel-id-input")[0], { target: { value: "mock-apes" } });
    await fireEvent.click(q(container, "channel-open")[0]);
    await waitFor(() => expect(q(container, "channel-view").length).toBe(1));
    expect(q(container, "channel-sign-in")[0].textContent).toContain("Join to write");
    await fireEvent.click(q(container, "channel-sign-in")[0]);
    await waitFor(() => expect(app.roomId).toBe("64b0c0ffee00000000000a9e"));
    await waitFor(() => expect(q(container, "channel-view").length).toBe(0));
    expect(app.rooms.some((r) => r.room_id === "64b0c0ffee00000000000a9e")).toBe(true);
  });
});
