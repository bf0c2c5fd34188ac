// Components mounted into happy-dom, driven through the same Backend seam (the mock).
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import MessageItem from "../components/MessageItem.svelte";
import Composer from "../components/Composer.svelte";
import ConversationView from "../components/ConversationView.svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import type { MessageView, UserView } from "../lib/bindings";
import { msg } from "./timeline.test";
import { Conversation, MAX_LOADED } from "../lib/conversation";

afterEach(() => cleanup());

const noop = { reply() {}, thread() {}, retry() {}, discard() {}, jump() {} };
const HOSTILE = `<img src=x onerror=alert(1)>`;

async function signedIn(opts: Parameters<typeof mockBackend>[0] = {}) {
  const backend = mockBackend({ seed: true, ackDelay: 0, ...opts });
  const app = new AppState(backend);
  await app.start();
  return { app, backend };
}

describe("hostile strings render as text", () => {
  it("never becomes markup, and non-http links never become links", () => {
    const m: MessageView = msg({
      key: "x",
      sender_name: HOSTILE,
      contents: {
        kind: "text",
        text: "",
        parts: [
          { kind: "text", text: HOSTILE },
          { kind: "link", text: "javascript:alert(1)", url: "javascript:alert(1)" },
          { kind: "link", text: "data", url: "data:text/html,<script>alert(1)</script>" },
          { kind: "link", text: "ok", url: "https://example.com/a?b=c" },
          { kind: "mention", text: "@<b>me</b>", user_id: "u", me: true },
        ],
      },
      reply: { id: "y", sender_name: HOSTILE, text: "<script>alert(2)</script>", found: true, deleted: false },
      sender_avatar: "javascript:alert(3)",
      item: { contract_address: "0x1", token_id: "1", name: HOSTILE, description: "<svg onload=alert(1)>", image_url: "javascript:alert(4)", url: "javascript:alert(5)" },
    });
    const { container } = render(MessageItem, { props: { m, actions: noop } });
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script, b")).toBeNull();
    // The only SVGs are the app's own icons.
    for (const svg of container.querySelectorAll("svg")) expect(svg.getAttribute("aria-hidden")).toBe("true");
    expect(container.textContent).toContain("<svg onload=alert(1)>");
    expect(container.textContent).toContain(HOSTILE);
    expect(container.textContent).toContain("javascript:alert(1)");
    const hrefs = [...container.querySelectorAll("a")].map((a) => a.getAttribute("href"));
    expect(hrefs).toEqual(["https://example.com/a?b=c"]);
    for (const el of container.querySelectorAll("*")) {
      for (const attr of el.getAttributeNames()) expect(attr.startsWith("on")).toBe(false);
    }
    const mention = container.querySelector('[data-testid="mention"]')!;
    expect(mention.classList.contains("mention")).toBe(true);
    expect(mention.classList.contains("mention-me")).toBe(true);
    expect(mention.textContent).toBe("@<b>me</b>");
  });

  it("swap cards show every field, images only from http(s)", () => {
    const m = msg({
      key: "card",
      contents: {
        kind: "swap_card",
        card: {
          orderStatus: "open", expiryDate: "2030-01-01", creatorAddress: "0xC", recipientAddress: "0xR", jumpUrl: "javascript:alert(1)",
          asset1Data: [{ address: "0xA1", type: "ERC721", id: "42", amount: "1", imgURL: "https://img.example/1.png", name: "Doodle", symbol: "DOOD" }],
          asset2Data: [{ address: "0xA2", type: "ETH", amount: "1.5", imgURL: "javascript:alert(2)", name: HOSTILE, symbol: "ETH" }],
        },
      },
    });
    const { container } = render(MessageItem, { props: { m, actions: noop } });
    const card = container.querySelector('[data-testid="swap-card"]')!;
    for (const t of ["open", "0xC", "0xR", "0xA1", "ERC721", "42", "Doodle", "DOOD", "0xA2", "ETH", "1.5", HOSTILE]) {
      expect(card.textContent).toContain(t);
    }
    // The expiry shows as a local date; the text as sent stays in data-value (and datetime, as ISO).
    const expiry = card.querySelector('[data-field="expiryDate"]')!;
    expect(expiry.getAttribute("data-value")).toBe("2030-01-01");
    expect(expiry.getAttribute("datetime")).toBe("2030-01-01");
    expect(expiry.textContent).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(2030, 0, 1)));
    expect([...card.querySelectorAll("img")].map((i) => i.getAttribute("src"))).toEqual(["https://img.example/1.png"]);
    expect(card.querySelector("a")).toBeNull();
  });
});

describe("composer", () => {
  const members: UserView[] = [
    { user_id: "user:me", nick_name: "me", address: "0x1", ens_name: "", display_name: "me", avatar_url: "", socials: [] },
    { user_id: "user:bob", nick_name: "bob", address: "0x3", ens_name: "", display_name: "bob", avatar_url: "", socials: [] },
  ];

  it("keeps a draft per room across room switches", async () => {
    const { app } = await signedIn();
    const r = render(Composer, { props: { app, roomId: "room:alice", members } });
    const area = r.getByTestId("composer") as HTMLTextAreaElement;
    await fireEvent.input(area, { target: { value: "half-written for alice" } });
    await r.rerender({ app, roomId: "room:group", members });
    expect((r.getByTestId("composer") as HTMLTextAreaElement).value).toBe("");
    await fireEvent.input(r.getByTestId("composer"), { target: { value: "group draft" } });
    await r.rerender({ app, roomId: "room:alice", members });
    expect((r.getByTestId("composer") as HTMLTextAreaElement).value).toBe("half-written for alice");
    await r.rerender({ app, roomId: "room:group", members });
    expect((r.getByTestId("composer") as HTMLTextAreaElement).value).toBe("group draft");
  });

  it("completes @ with room members and sends their ids; Enter sends, Shift+Enter does not", async () => {
    const { app, backend } = await signedIn({ ackDelay: -1 });
    const r = render(Composer, { props: { app, roomId: "room:group", members } });
    const area = r.getByTestId("composer") as HTMLTextAreaElement;
    area.value = "hi @bo";
    area.setSelectionRange(6, 6);
    await fireEvent.input(area);
    await tick();
    const opt = r.getByTestId("mention-option");
    expect(opt.textContent).toContain("bob");
    await fireEvent.keyDown(area, { key: "Enter" });
    await tick();
    expect(area.value).toBe("hi @bob ");
    await fireEvent.keyDown(area, { key: "Enter", shiftKey: true });
    expect(backend.calls.filter((c) => c.cmd === "send")).toHaveLength(0);
    await fireEvent.keyDown(area, { key: "Enter" });
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "send")).toHaveLength(1));
    const draft = backend.calls.find((c) => c.cmd === "send")!.args.draft as { text: string; mentions: string[]; room_id: string };
    expect(draft).toMatchObject({ text: "hi @bob", mentions: ["user:bob"], room_id: "room:group" });
    expect(area.value).toBe("");
  });
});

describe("conversation", () => {
  it("shows a sent message as pending, then sent when the send_status event arrives", async () => {
    const { app, backend } = await signedIn({ ackDelay: -1, offline: true });
    await app.openRoom("room:alice");
    const r = render(ConversationView, { props: { app } });
    const area = r.getByTestId("composer") as HTMLTextAreaElement;
    await fireEvent.input(area, { target: { value: "offline hello" } });
    await fireEvent.click(r.getByTestId("send-button"));
    const pending = await waitFor(() => {
      const el = [...r.container.querySelectorAll<HTMLElement>('[data-testid="message"]')].find((e) => e.textContent?.includes("offline hello"));
      expect(el).toBeTruthy();
      return el!;
    });
    expect(pending.dataset.status).toBe("pending");
    expect(pending.dataset.mine).toBe("true");
    const key = pending.dataset.key!;
    backend.goOnline(); // the mock acknowledges the outbox and emits send_status
    await waitFor(() => {
      const el = r.container.querySelector<HTMLElement>(`[data-key="${key}"]`)!;
      expect(el.dataset.status).toBe("sent");
      expect(el.dataset.id).not.toBe("");
    });
    expect(r.container.querySelectorAll(`[data-key="${key}"]`)).toHaveLength(1);
  });

  it("failed messages offer Retry and Discard", async () => {
    const { app } = await signedIn({ ackDelay: 0 });
    await app.openRoom("room:alice");
    const r = render(ConversationView, { props: { app } });
    await fireEvent.input(r.getByTestId("composer"), { target: { value: "this will fail" } });
    await fireEvent.click(r.getByTestId("send-button"));
    await waitFor(() => expect(r.container.querySelector('[data-status="failed"]')).toBeTruthy());
    await fireEvent.click(r.getByTestId("discard-button"));
    await waitFor(() => expect(r.container.querySelector('[data-status="failed"]')).toBeNull());
  });

  it("renders at most ~200 message nodes for a room of 100,000, and pages older history", async () => {
    const { app, backend } = await signedIn({ bigRoom: 100_000 });
    await app.openRoom("room:big");
    const r = render(ConversationView, { props: { app } });
    await tick();
    const list = r.getByTestId("message-list");
    expect(list.querySelectorAll('[data-testid="message"]').length).toBeGreaterThan(0);
    expect(list.querySelectorAll('[data-testid="message"]').length).toBeLessThanOrEqual(200);
    // Load many pages, as scrolling up would.
    for (let i = 0; i < 30; i++) await app.conv!.loadOlder();
    await tick();
    expect(list.querySelectorAll('[data-testid="message"]').length).toBeLessThanOrEqual(200);
    expect(app.conv!.msgs.length).toBeLessThanOrEqual(MAX_LOADED);
    const pages = backend.calls.filter((c) => c.cmd === "messages" && (c.args.cursor as { kind: string }).kind === "before");
    expect(pages.length).toBeGreaterThanOrEqual(30);
    expect(pages.every((c) => c.args.limit === 100)).toBe(true);
  });

  it("sending from higher up scrolls to my message; only what was on screen counts as read until the user moves", async () => {
    const { app, backend } = await signedIn({ bigRoom: 100_000, bigRoomUnread: 5 });
    app.focused = false;
    await app.openRoom("room:big");
    const r = render(ConversationView, { props: { app } });
    await tick();
    const list = r.getByTestId("message-list");
    list.scrollTop = 0;
    await fireEvent.scroll(list);
    await waitFor(() => r.getByTestId("jump-latest"));
    app.setFocused(true);
    await tick();
    const reads = () => backend.calls.filter((c) => c.cmd === "mark_read").map((c) => Number(c.args.seq));
    // The room opened at its first unread message (99,996); what is on screen up there is read,
    // never the unread ones below.
    const firstUnread = 100_000 - 4;
    expect(reads().every((s) => s < firstUnread)).toBe(true);
    const before = reads().length;
    await fireEvent.input(r.getByTestId("composer"), { target: { value: "from up here" } });
    await fireEvent.click(r.getByTestId("send-button"));
    // At the bottom, my message in view…
    await waitFor(() => expect(r.queryByTestId("jump-latest")).toBeNull());
    await waitFor(() => expect(list.textContent).toContain("from up here"));
    // …and read only up to what was on screen up there, not the 5 unread at the end.
    await tick();
    expect(reads().length).toBeLessThanOrEqual(before + 1);
    expect(Math.max(0, ...reads())).toBeLessThan(firstUnread);
    expect(app.room?.unread).toBe(5);
    // The user scrolls there themselves: now it is all read.
    await fireEvent.wheel(list);
    await waitFor(() => expect(Math.max(...reads())).toBeGreaterThanOrEqual(100_000));
    await waitFor(() => expect(app.room?.unread).toBe(0));
  });

  it("keeps a message that arrived while a page was loading (the page's answer predates it)", async () => {
    const { backend } = await signedIn();
    const conv = new Conversation(backend.commands, "room:alice");
    // The page is asked, then a message's event comes before the answer.
    const slow = { ...backend.commands };
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const messages = backend.commands.messages;
    slow.messages = async (...a: Parameters<typeof messages>) => {
      const page = await messages(...a);
      await gate;
      return page;
    };
    const c2 = new Conversation(slow, "room:alice");
    const loading = c2.loadLatest();
    await tick();
    const m = backend.receive("room:alice", "user:alice", "while it loaded");
    c2.upsert([m]);
    release();
    await loading;
    expect(c2.msgs.at(-1)?.id).toBe(m.id);
    await conv.loadLatest();
    expect(c2.msgs.map((x) => x.key)).toEqual(conv.msgs.map((x) => x.key));
  });

  it("keeps at most MAX_LOADED messages: far pages drop while paging up and come back on the way down", async () => {
    const { backend } = await signedIn({ bigRoom: 100_000 });
    const conv = new Conversation(backend.commands, "room:big");
    await conv.loadLatest();
    for (let i = 0; i < 30; i++) await conv.loadOlder();
    // Memory stays flat: the newest pages were dropped on the way up (3,100 read, 500 kept)…
    expect(conv.msgs.length).toBe(MAX_LOADED);
    expect(conv.firstSeq()).toBe(100_000 - 3100 + 1);
    expect(conv.hasNewer).toBe(true);
    // …and come back on the way down, dropping the oldest, up to the latest message.
    while (conv.hasNewer) await conv.loadNewer();
    expect(conv.msgs.length).toBe(MAX_LOADED);
    expect(conv.lastSeq()).toBe(100_000);
    expect(conv.hasOlder).toBe(true);
  });
});

describe("app", () => {
  it("onboards: a new account on the default environment (backed up later), then the nickname", async () => {
    const backend = mockBackend({ ackDelay: 0 });
    const app = new AppState(backend);
    await app.start();
    const r = render(App, { props: { app } });
    await waitFor(() => r.getByTestId("onboarding"));
    expect((r.getByTestId("env-kind") as HTMLSelectElement).value).toBe("local");
    await fireEvent.click(r.getByTestId("create-key"));
    await fireEvent.click(r.getByTestId("sign-in"));
    await fireEvent.click(await waitFor(() => r.getByTestId("phrase-later")));
    await waitFor(() => r.getByTestId("nickname"));
    const signIn = backend.calls.find((c) => c.cmd === "sign_in_new")!;
    expect(signIn.args).toMatchObject({ answers: null, env: { kind: "local" } });
    await fireEvent.input(r.getByTestId("nickname"), { target: { value: "satoshi" } });
    await fireEvent.click(r.getByTestId("save-nickname"));
    await waitFor(() => r.getByTestId("room-list"));
    expect(r.getByTestId("connection-banner").dataset.state).toBe("online");
  });

  it("lists rooms by activity with badges, re-sorts on room_updated, and opens a room at a search hit", async () => {
    const { app, backend } = await signedIn();
    const r = render(App, { props: { app } });
    await waitFor(() => r.getByTestId("room-list"));
    const ids = () => [...r.container.querySelectorAll<HTMLElement>('[data-testid="room-item"]')].map((e) => e.dataset.roomId);
    expect(ids()[0]).toBe("room:group");
    const group = r.container.querySelector('[data-room-id="room:group"]')!;
    expect(group.querySelector('[data-testid="mention-badge"]')).toBeTruthy();
    expect(group.querySelector('[data-testid="unread-badge"]')).toBeTruthy();
    backend.receive("room:coll", "user:alice", "fresh news");
    await waitFor(() => expect(ids()[0]).toBe("room:coll"));
    // Titles are text.
    expect(r.container.querySelector('[data-testid="room-list"] img')).toBeNull();

    await fireEvent.input(r.getByTestId("search-input"), { target: { value: "floor" } });
    const hit = await waitFor(() => r.getByTestId("search-result"), { timeout: 2000 });
    expect(hit.querySelector("mark")?.textContent?.toLowerCase()).toBe("floor");
    await fireEvent.input(r.getByTestId("search-input"), { target: { value: "trade" } });
    await waitFor(() => expect(r.getByTestId("search-result").textContent).toContain("Degen friends"), { timeout: 2000 });
    await fireEvent.click(r.getByTestId("search-result"));
    await waitFor(() => expect(app.roomId).toBe("room:group"));
    await waitFor(() => expect(r.container.querySelector('[data-testid="message"] [data-testid="mention"]')).toBeTruthy());
  });
});

describe("events", () => {
  it("open_room (a notification click) opens the room at the message", async () => {
    const { app, backend } = await signedIn();
    const r = render(App, { props: { app } });
    await waitFor(() => r.getByTestId("room-list"));
    const target = backend.history("room:group").find((m) => m.contents.kind === "text" && m.contents.text.startsWith("gm @me"))!;
    backend.emit({ type: "open_room", room_id: "room:group", message_id: target.id });
    await waitFor(() => expect(app.roomId).toBe("room:group"));
    await waitFor(() => expect(r.container.querySelector(`[data-testid="message"][data-id="${target.id}"]`)).toBeTruthy());
    expect(backend.calls.some((c) => c.cmd === "messages_around" && c.args.message_id === target.id)).toBe(true);
  });

  it("opens a room at its first unread message, marks the newest read once at the bottom and focused; Rust's counts are shown", async () => {
    const { app, backend } = await signedIn();
    app.focused = true;
    const r = render(App, { props: { app } });
    await waitFor(() => r.getByTestId("room-list"));
    const alice = () => r.container.querySelector('[data-room-id="room:alice"]')!;
    expect(alice().querySelector('[data-testid="unread-badge"]')?.textContent).toBe("2");
    await fireEvent.click(alice());
    const history = backend.history("room:alice");
    const newest = history.at(-1)!.seq;
    // Under the "new messages" divider, at the first of the two unread messages.
    const first = history.filter((m) => !m.mine).at(-2)!;
    await waitFor(() => r.getByTestId("new-divider"));
    const divider = r.getByTestId("new-divider").closest(".vrow")!;
    expect(divider.nextElementSibling?.querySelector(`[data-testid="message"][data-id="${first.id}"]`)).toBeTruthy();
    expect(backend.calls.some((c) => c.cmd === "first_unread" && c.args.room_id === "room:alice")).toBe(true);
    expect(backend.calls.some((c) => c.cmd === "mark_read" && c.args.seq === newest)).toBe(false);
    // To the latest (Ctrl+End): everything there was on screen.
    await fireEvent.keyDown(r.getByTestId("message-list"), { key: "End", ctrlKey: true });
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "mark_read" && c.args.seq === newest)).toBe(true));
    await waitFor(() => expect(alice().querySelector('[data-testid="unread-badge"]')).toBeNull());
    // A message arriving while the room is open and focused is read too.
    const m = backend.receive("room:alice", "user:alice", "another one");
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "mark_read" && c.args.seq === m.seq)).toBe(true));
  });
});

describe("remote images", () => {
  it("load only when clicked, when the settings say so", async () => {
    const { setRemoteImages } = await import("../lib/privacy.svelte");
    const ItemCard = (await import("../components/ItemCard.svelte")).default;
    const item = { contract_address: "0x1", token_id: "1", name: "n", description: "", image_url: "https://img.example/a.png", url: "" };
    try {
      setRemoteImages("on_click");
      const { container, getByTestId } = render(ItemCard, { props: { item } });
      expect(container.querySelector("img")).toBeNull();
      await fireEvent.click(getByTestId("load-image"));
      expect(container.querySelector("img")?.getAttribute("src")).toBe("https://img.example/a.png");
      cleanup();
      setRemoteImages("always");
      const shown = render(ItemCard, { props: { item } });
      expect(shown.container.querySelector("img")).not.toBeNull();
    } finally {
      setRemoteImages("always");
    }
  });
});
