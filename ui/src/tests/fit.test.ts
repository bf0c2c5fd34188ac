// Issue 11 ("A desktop app that fits"), the UI's part: trade and item cards that read well (local
// expiry, short addresses with a copy button, separate name / amount / symbol), a compact sidebar
// header, public channels laid out as rooms (days, groups, virtualized), and the keyboard (skip link,
// Ctrl+L, focus rings in the message list, the mention popup announced).
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import App from "../App.svelte";
import Composer from "../components/Composer.svelte";
import ItemCard from "../components/ItemCard.svelte";
import MessageItem from "../components/MessageItem.svelte";
import PublicChannel from "../components/PublicChannel.svelte";
import { AppState } from "../lib/app.svelte";
import type { ChannelMessageView, SwapCard, UserView } from "../lib/bindings";
import { parseExpiry, shortAddress } from "../lib/cards";
import { ChannelFeed } from "../lib/channel.svelte";
import { mockBackend } from "../lib/mock";
import { MAX_RENDERED } from "../lib/virtual";
import { msg } from "./timeline.test";
import messageListSrc from "../components/MessageList.svelte?raw";
import messageItemSrc from "../components/MessageItem.svelte?raw";
import channelListSrc from "../components/ChannelList.svelte?raw";
import sidebarSrc from "../components/Sidebar.svelte?raw";
import readme from "../../README.md?raw";

afterEach(() => cleanup());

const q = (root: ParentNode, id: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const field = (root: ParentNode, f: string) => root.querySelector<HTMLElement>(`[data-field="${f}"]`)!;

async function signedIn() {
  const backend = mockBackend({ seed: true, ackDelay: 0 });
  const app = new AppState(backend);
  await app.start();
  return { app, backend };
}

const CREATOR = "0x0f4dc815bccd5da44e6ba06140c710813078510d";
const WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
// The seed's card (shared/fixtures/sudo_swap_card.json), as the E2E tests send it.
const CARD: SwapCard = {
  orderStatus: "OPEN",
  expiryDate: "2022-05-14, 12:00 AM",
  creatorAddress: CREATOR,
  recipientAddress: "",
  jumpUrl: `https://sudoswap.xyz/#/swap/${CREATOR}/1`,
  asset1Data: [{ address: WETH, type: "1", amount: "3.5", imgURL: "https://zapper.fi/images/WETH-icon.png", name: "Wrapped Ether", symbol: "WETH" }],
  asset2Data: [{ address: "0x9df8aa7c681f33e442a0d57b838555da863504f3", type: "2", id: "1086", amount: "1", imgURL: "", name: "Pixelated Llama", symbol: "PXLLMA" }],
};

const medium = (d: Date) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(d);

describe("card fields", () => {
  it("reads the seed's expiry as local time, ISO instants and bare dates; anything else stays as sent", () => {
    const seed = parseExpiry("2022-05-14, 12:00 AM");
    expect(seed.ms).toBe(new Date(2022, 4, 14, 0, 0).getTime());
    expect(seed.datetime).toBe("2022-05-14T00:00");
    expect(seed.label).toBe(medium(new Date(2022, 4, 14, 0, 0)));
    expect(parseExpiry("2026-01-04, 11:59 PM").ms).toBe(new Date(2026, 0, 4, 23, 59).getTime());
    expect(parseExpiry("2026-01-04, 12:30 PM").ms).toBe(new Date(2026, 0, 4, 12, 30).getTime());
    const iso = parseExpiry("2026-01-04T00:00:00.000Z");
    expect(iso.ms).toBe(Date.UTC(2026, 0, 4));
    expect(iso.datetime).toBe("2026-01-04T00:00:00.000Z");
    expect(iso.label).toBe(medium(new Date(Date.UTC(2026, 0, 4))));
    const day = parseExpiry("2030-01-01");
    expect(day.ms).toBe(new Date(2030, 0, 1).getTime());
    expect(day.datetime).toBe("2030-01-01");
    for (const raw of ["next week", "2022-02-31", "2022-05-14, 13:00 PM", "", "<b>x</b>"]) {
      expect(parseExpiry(raw)).toEqual({ ms: null, datetime: "", label: raw });
    }
  });

  it("shortens long addresses only", () => {
    expect(shortAddress(CREATOR)).toBe("0x0f4d…510d");
    expect(shortAddress("0xC")).toBe("0xC");
    expect(shortAddress("0x123456789")).toBe("0x123456789");
  });

  it("a trade card shows a local expiry, short addresses with the full one kept, and copies through Rust", async () => {
    const { app, backend } = await signedIn();
    const m = msg({ key: "card", contents: { kind: "swap_card", card: CARD } });
    const actions = { reply() {}, thread() {}, retry() {}, discard() {}, jump() {}, copy: (t: string, w: string) => void app.copy(t, w) };
    const { container } = render(MessageItem, { props: { m, actions } });
    const card = q(container, "swap-card")[0];
    // Expiry: a <time> in local format; the text as sent is its data-value and title.
    const expiry = field(card, "expiryDate");
    expect(expiry.tagName).toBe("TIME");
    expect(expiry.textContent).toBe(medium(new Date(2022, 4, 14)));
    expect(expiry.getAttribute("datetime")).toBe("2022-05-14T00:00");
    expect(expiry.getAttribute("data-value")).toBe(CARD.expiryDate);
    expect(expiry.getAttribute("title")).toContain(CARD.expiryDate);
    // The creator: short on screen (hidden from screen readers, which read the full one), full in the title and data-value.
    const creator = field(card, "creatorAddress");
    expect(creator.getAttribute("data-value")).toBe(CREATOR);
    const shown = creator.querySelector<HTMLElement>('[data-testid="short-address"]')!;
    expect(shown.textContent).toBe("0x0f4d…510d");
    expect(shown.getAttribute("title")).toBe(CREATOR);
    expect(shown.getAttribute("aria-hidden")).toBe("true");
    expect(creator.querySelector(".sr-only")?.textContent).toBe(CREATOR);
    // No recipient: anyone, nothing to copy.
    expect(field(card, "recipientAddress").textContent).toBe("anyone");
    expect(field(card, "recipientAddress").querySelector("button")).toBeNull();
    // Name, amount and symbol are their own elements, none inside another.
    const asset = q(card, "swap-asset1")[0];
    const [name, amount, symbol] = ["name", "amount", "symbol"].map((f) => field(asset, f));
    expect([name.textContent, amount.textContent, symbol.textContent]).toEqual(["Wrapped Ether", "3.5", "WETH"]);
    for (const [a, b] of [[name, amount], [name, symbol], [amount, symbol], [symbol, amount], [amount, name], [symbol, name]]) expect(a.contains(b)).toBe(false);
    expect(field(asset, "address").getAttribute("data-value")).toBe(WETH);
    // Not app.css's side-panel class (absolute, 340 px wide below 1100 px): it drew "Wants" over the card.
    expect(card.querySelector(".side")).toBeNull();
    // Copy: the backend's copy_text gets the full address, and the app says so.
    const copy = creator.querySelector<HTMLButtonElement>('[data-testid="copy-field"]')!;
    expect(copy.getAttribute("aria-label")).toBe("Copy creator address");
    await fireEvent.click(copy);
    await waitFor(() => expect(backend.copied).toEqual([CREATOR]));
    expect(backend.calls.filter((c) => c.cmd === "copy_text").map((c) => c.args.text)).toEqual([CREATOR]);
    expect(app.notice).toBe("Creator address copied");
    await fireEvent.click(field(asset, "address").querySelector("button")!);
    await waitFor(() => expect(backend.copied).toEqual([CREATOR, WETH]));
  });

  it("an item card shows the contract short with a copy button, and the token id on its own", async () => {
    const { app, backend } = await signedIn();
    const item = { contract_address: "0x9df8aa7c681f33e442a0d57b838555da863504f3", token_id: "1086", name: "Pixelated Llama #1086", description: "A llama.", image_url: "", url: "" };
    const { container } = render(ItemCard, { props: { item, oncopy: (t: string, w: string) => void app.copy(t, w) } });
    expect(field(container, "name").textContent).toBe("Pixelated Llama #1086");
    expect(field(container, "tokenId").textContent).toBe("1086");
    const contract = field(container, "contractAddress");
    expect(contract.getAttribute("data-value")).toBe(item.contract_address);
    expect(contract.querySelector('[data-testid="short-address"]')?.textContent).toBe("0x9df8…04f3");
    await fireEvent.click(contract.querySelector("button")!);
    await waitFor(() => expect(backend.copied).toEqual([item.contract_address]));
    expect(app.notice).toBe("Contract address copied");
  });

  it("rooms pass the copy action to the cards (Rust's copy_text)", async () => {
    const { app, backend } = await signedIn();
    await app.openRoom("room:alice");
    app.conv!.upsert([msg({ key: "card", id: "card", room_id: "room:alice", seq: 10_000, created_ms: Date.now(), contents: { kind: "swap_card", card: CARD } })]);
    const { container } = render(App, { props: { app } });
    const card = await waitFor(() => {
      const c = q(container, "swap-card")[0];
      expect(c).toBeTruthy();
      return c;
    });
    await fireEvent.click(field(card, "creatorAddress").querySelector("button")!);
    await waitFor(() => expect(backend.copied).toEqual([CREATOR]));
    await waitFor(() => expect(q(document.body, "notice")[0]?.textContent).toBe("Creator address copied"));
  });
});

describe("sidebar header", () => {
  it("is one row: identity and the actions together, no inputs; search and filter share the row below", async () => {
    const { app } = await signedIn();
    const { container } = render(App, { props: { app } });
    await waitFor(() => expect(q(container, "room-item").length).toBeGreaterThan(0));
    const header = container.querySelector<HTMLElement>(".sidebar > header")!;
    for (const id of ["public-channel-button", "new-room", "settings-button"]) {
      expect(q(header, id)[0]?.parentElement, id).toBe(header);
    }
    expect(header.querySelector("input, form")).toBeNull();
    expect(header.textContent).toContain(app.account?.profile?.display_name || "Me");
    const tools = q(container, "search-input")[0].closest(".tools")!;
    expect(tools.contains(q(container, "room-filter")[0])).toBe(true);
    // The CSS: the header and the tools are rows (flex, never a column), of a fixed compact height.
    const rule = (sel: string) => new RegExp(`\\n\\s*${sel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\{([^}]*)\\}`).exec(sidebarSrc)?.[1] ?? "";
    expect(rule(".bar")).toMatch(/display: flex/);
    expect(rule(".bar")).not.toMatch(/column|wrap/);
    expect(rule(".tools")).toMatch(/display: flex/);
    expect(rule(".tools")).not.toMatch(/column|wrap/);
    // The public channel form opens below, on demand.
    expect(q(container, "channel-id-input").length).toBe(0);
    await fireEvent.click(q(header, "public-channel-button")[0]);
    expect(q(container, "channel-id-input").length).toBe(1);
    expect(header.contains(q(container, "channel-id-input")[0])).toBe(false);
  });

  it("shows the totals as badges on the same row", async () => {
    const { app } = await signedIn();
    const { container } = render(App, { props: { app } });
    app.handle({ type: "unread_total", total: { unread: 7, mentions: 2 } });
    await waitFor(() => expect(q(container, "total-unread")[0]?.textContent).toContain("7"));
    const header = container.querySelector(".sidebar > header")!;
    expect(header.contains(q(container, "total-unread")[0])).toBe(true);
    expect(q(container, "total-unread")[0].querySelector(".sr-only")?.textContent).toBe("7 unread");
    expect(q(container, "total-mentions")[0].querySelector(".sr-only")?.textContent).toBe("2 mentions");
  });
});

function chat(i: number, user: string, created_ms: number, text = `message ${i}`): ChannelMessageView {
  return { id: `m${i}`, room_id: "64b0c0ffee00000000000a9e", seq: i, user_id: user, sender_name: user.replace("user:", ""), roles: [], created_ms, text, parts: [{ kind: "text", text }], whisper: false, mine: false };
}

function feedWith(messages: ChannelMessageView[]) {
  const backend = mockBackend();
  const app = new AppState(backend);
  const feed = new ChannelFeed(backend.commands, {
    channel: "mock-apes",
    room_id: "64b0c0ffee00000000000a9e",
    status: { state: { state: "online", endpoint: "", roles: [], permissions: [] }, online: true, label: "Live", can_write: false, can_vote: false, moderator: false },
    messages,
  }, true);
  return { app, feed };
}

describe("public channel as a room", () => {
  const day1 = new Date(2025, 0, 1, 10, 0).getTime();
  const day2 = new Date(2025, 0, 2, 9, 0).getTime();

  it("has day separators and groups consecutive messages of one sender (avatar and name once)", async () => {
    const { app, feed } = feedWith([
      chat(1, "user:alice", day1),
      chat(2, "user:alice", day1 + 60_000),
      chat(3, "user:bob", day1 + 120_000),
      chat(4, "user:bob", day2),
      chat(5, "user:bob", day2 + 10_000),
    ]);
    const { container } = render(PublicChannel, { props: { app, feed } });
    await tick();
    const days = q(container, "day-separator");
    expect(days.length).toBe(2);
    const msgs = q(container, "channel-message");
    expect(msgs.map((m) => m.dataset.id)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(msgs.map((m) => m.dataset.userId)).toEqual(["user:alice", "user:alice", "user:bob", "user:bob", "user:bob"]);
    // The separators sit before the first message of each day.
    const order = [...container.querySelectorAll('[data-testid="day-separator"], [data-testid="channel-message"]')].map((e) => (e as HTMLElement).dataset.id ?? "day");
    expect(order).toEqual(["day", "m1", "m2", "m3", "day", "m4", "m5"]);
    // Name (and avatar) once per group; the others say the sender to screen readers only.
    const named = msgs.map((m) => !!m.querySelector(".sender"));
    expect(named).toEqual([true, false, true, true, false]);
    expect(msgs[1].querySelector(".sr-only")?.textContent).toBe("alice:");
    expect(msgs[1].textContent).toContain("message 2");
  });

  it("messages of unknown time (0) get no 1970 separator and still group", async () => {
    const { app, feed } = feedWith([chat(1, "user:a", 0), chat(2, "user:a", 0), chat(3, "user:b", 0)]);
    const { container } = render(PublicChannel, { props: { app, feed } });
    await tick();
    expect(q(container, "day-separator").length).toBe(0);
    expect(q(container, "channel-message").map((m) => !!m.querySelector(".sender"))).toEqual([true, false, true]);
  });

  it("is virtualized: a long channel renders a window, with the newest message in it, also when one arrives", async () => {
    const n = 3000;
    const start = new Date(2025, 0, 1, 8, 0).getTime();
    const { app, feed } = feedWith(Array.from({ length: n }, (_, i) => chat(i + 1, i % 3 ? "user:alice" : "user:bob", start + i * 40_000)));
    const { container } = render(PublicChannel, { props: { app, feed } });
    await tick();
    const list = q(container, "channel-list")[0];
    expect(Number(list.dataset.rows)).toBeGreaterThan(n);
    const rendered = () => q(container, "channel-message");
    expect(rendered().length).toBeGreaterThan(0);
    expect(rendered().length).toBeLessThanOrEqual(MAX_RENDERED);
    expect(rendered().at(-1)?.dataset.id).toBe(`m${n}`);
    for (const m of rendered()) {
      expect(m.dataset.id).toMatch(/^m\d+$/);
      expect(m.dataset.userId).toMatch(/^user:/);
    }
    // Live: the newest stays in view.
    feed.apply({ type: "channel", room_id: feed.roomId, update: { kind: "message", message: chat(n + 1, "user:zed", start + n * 40_000, "brand new") } });
    await tick();
    await waitFor(() => expect(rendered().at(-1)?.dataset.id).toBe(`m${n + 1}`));
    expect(rendered().length).toBeLessThanOrEqual(MAX_RENDERED);
  });

  it("uses timeline.ts and virtual.ts (one copy of the day, group and window logic)", () => {
    expect(channelListSrc).toMatch(/from "\.\.\/lib\/timeline"/);
    expect(channelListSrc).toMatch(/buildRowsOf/);
    expect(channelListSrc).toMatch(/computeWindow, HeightIndex, rowMeasurer \} from "\.\.\/lib\/virtual"/);
  });
});

describe("keyboard", () => {
  async function inRoom() {
    const { app, backend } = await signedIn();
    const { container } = render(App, { props: { app } });
    await app.openRoom("room:alice");
    await waitFor(() => expect(q(container, "composer").length).toBe(1));
    return { app, backend, container };
  }

  it("a skip link, the first Tab stop, moves focus to the composer", async () => {
    const { container } = await inRoom();
    const skip = q(document.body, "skip-to-composer")[0];
    expect(skip.textContent).toBe("Skip to composer");
    const focusable = document.body.querySelectorAll("button, a[href], input, textarea, select, [tabindex]:not([tabindex='-1'])");
    expect(focusable[0]).toBe(skip);
    q(container, "room-filter")[0].focus();
    await fireEvent.click(skip);
    await waitFor(() => expect(document.activeElement).toBe(q(container, "composer")[0]));
  });

  it("Ctrl+L moves focus to the composer; without an open room it does nothing", async () => {
    const { app, container } = await inRoom();
    q(container, "room-filter")[0].focus();
    const ev = new KeyboardEvent("keydown", { key: "l", ctrlKey: true, bubbles: true, cancelable: true });
    window.dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(q(container, "composer")[0]));
    expect(q(container, "composer")[0].getAttribute("aria-keyshortcuts")).toBe("Control+L");
    app.closeRoom();
    await tick();
    expect(q(document.body, "skip-to-composer").length).toBe(0);
    const again = new KeyboardEvent("keydown", { key: "L", ctrlKey: true, bubbles: true, cancelable: true });
    window.dispatchEvent(again);
    expect(again.defaultPrevented).toBe(false);
  });

  it("the shortcut is documented with the others", () => {
    expect(readme).toMatch(/Ctrl\+L[^\n]*composer/);
    expect(readme).toMatch(/Ctrl\+K/);
  });

  it("the message list shows focus: the list and every row and control get an accent ring", () => {
    // The list hides the browser outline only to draw its own ring inside the edge.
    expect(messageListSrc).toMatch(/\.viewport:focus-visible \{[^}]*var\(--accent\)/);
    expect(channelListSrc).toMatch(/\.viewport:focus-visible \{[^}]*var\(--accent\)/);
    expect(messageItemSrc).toMatch(/\.msg:has\(:global\(:focus-visible\)\) \{[^}]*var\(--accent\)/);
    expect(messageItemSrc).toMatch(/\.msg :global\(:is\(button, a\):focus-visible\) \{[^}]*outline: 2px solid var\(--accent\)/);
    // No rule hides an outline without a focus ring for the same element.
    for (const src of [messageListSrc, messageItemSrc, channelListSrc]) {
      for (const m of src.matchAll(/\n\s*([^{}\n]+) \{[^}]*outline: none/g)) {
        const sel = m[1].trim();
        expect(src.includes(`${sel}:focus-visible`), sel).toBe(true);
      }
    }
  });
});

describe("mention popup", () => {
  const members: UserView[] = [
    { user_id: "user:me", nick_name: "me", address: "0x1", ens_name: "", display_name: "me", avatar_url: "", socials: [] },
    { user_id: "user:bob", nick_name: "bob", address: "0x3", ens_name: "", display_name: "bob", avatar_url: "", socials: [] },
    { user_id: "user:bea", nick_name: "bea", address: "0x4", ens_name: "bea.eth", display_name: "bea", avatar_url: "", socials: [] },
  ];

  it("is the textarea's listbox: aria-activedescendant names the selected option, a live region says it", async () => {
    const { app } = await signedIn();
    const r = render(Composer, { props: { app, roomId: "room:group", members } });
    const area = r.getByTestId("composer") as HTMLTextAreaElement;
    const status = r.getByTestId("mention-status");
    expect(status.getAttribute("aria-live")).toBe("polite");
    expect(area.hasAttribute("aria-activedescendant")).toBe(false);
    area.value = "hi @b";
    area.setSelectionRange(5, 5);
    await fireEvent.input(area);
    await tick();
    const list = r.getByTestId("mention-list");
    expect(list.getAttribute("role")).toBe("listbox");
    expect(area.getAttribute("aria-controls")).toBe(list.id);
    expect(area.getAttribute("aria-autocomplete")).toBe("list");
    const selected = () => {
      const id = area.getAttribute("aria-activedescendant");
      const el = id ? document.getElementById(id) : null;
      expect(el, "the active descendant exists").not.toBeNull();
      return el!;
    };
    const opts = r.getAllByTestId("mention-option");
    expect(opts.map((o) => o.getAttribute("role"))).toEqual(["option", "option"]);
    expect(selected()).toBe(opts[0]);
    expect(selected().getAttribute("aria-selected")).toBe("true");
    expect(opts[1].getAttribute("aria-selected")).toBe("false");
    const first = opts[0].querySelector("b")!.textContent!;
    expect(status.textContent).toContain(`${first}, 1 of 2`);
    await fireEvent.keyDown(area, { key: "ArrowDown" });
    await tick();
    expect(selected()).toBe(opts[1]);
    expect(opts[1].getAttribute("aria-selected")).toBe("true");
    const second = opts[1].querySelector("b")!.textContent!;
    expect(status.textContent).toContain(`${second}, 2 of 2`);
    await fireEvent.keyDown(area, { key: "Escape" });
    await tick();
    expect(r.queryByTestId("mention-list")).toBeNull();
    expect(area.hasAttribute("aria-activedescendant")).toBe(false);
    expect(status.textContent).toBe("");
  });
});
