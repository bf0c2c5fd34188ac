// An in-memory Backend for the browser (npm run dev) and for tests. It is not a
// second engine: every view it starts from (rooms with their titles, previews
// and counts, messages with their text parts, search hits, channel messages,
// the messages the tests receive) comes from fixtures.json, which the Rust
// view code writes (crates/w3mq-core/tests/ui_fixtures.rs; the test fails when
// the file is stale). What the mock does itself is bookkeeping: sends turn
// pending → sent through a send_status event like Rust's, a room read to its
// end has no unread, totals are the sum of the rooms' counts. A text it has no
// fixture for (a send, an unlisted receive) shows as one text part: the mock
// never splits text.
import { defaultSettings } from "./settings";
import type { Backend } from "./backend";
import type {
  SavedDraft,
  AccountTab,
  AccountView,
  ChannelMessageView,
  ChannelStatusView,
  ChannelUpdate,
  PollView,
  AppInfo,
  ConnectionState,
  Cursor,
  Draft,
  Environment,
  PhraseBackup,
  Restore,
  SecretStoreStatus,
  MessageView,
  NotifyMode,
  OpenSeaItem,
  RoomView,
  SearchFilter,
  SearchHitView,
  SearchResults,
  Settings,
  UiEvent,
  UnreadTotal,
  UserView,
} from "./bindings";
import { commands, type Commands } from "./bindings";
import { isHttpUrl } from "./urls";
import fixtureData from "./fixtures.json";

/** What crates/w3mq-core/tests/ui_fixtures.rs writes. */
interface Fixtures {
  now_ms: number;
  me: UserView;
  users: UserView[];
  rooms: RoomView[];
  messages: Record<string, MessageView[]>;
  search: Record<string, SearchHitView[]>;
  received: { room_id: string; from_uid: string; text: string; message: MessageView; room: RoomView }[];
  public_room: RoomView;
  /** Me before I chose a nickname. */
  me_unnamed: UserView;
  channel: ChannelMessageView[];
  pending: MessageView;
}

/** The fixtures, their times moved to now (they were written at `now_ms`). */
function fixtures(): Fixtures {
  const shift = Date.now() - (fixtureData as unknown as Fixtures).now_ms;
  return JSON.parse(JSON.stringify(fixtureData), (k, v) =>
    (k === "created_ms" || k === "last_activity_ms") && typeof v === "number" ? v + shift : v,
  ) as Fixtures;
}

export interface MockOptions {
  /** Start signed in with sample rooms. */
  seed?: boolean;
  /** Messages in the big sample room. */
  bigRoom?: number;
  /** Of which the last this many are unread (Rust's count, as a fixture would give it). */
  bigRoomUnread?: number;
  /** Milliseconds before a send is acknowledged; negative: never (stays pending). */
  ackDelay?: number;
  /** Start offline (sends stay pending until `goOnline`). */
  offline?: boolean;
  /** What the desktop portal says of dark mode (`system_dark`); none by default. */
  systemDark?: boolean | null;
  /** The secret store: the keychain answers (default), none answers, or the encrypted file is locked. */
  keychain?: "ok" | "missing" | "locked";
  /** The seeded account was backed up (default true). */
  backedUp?: boolean;
  /** A second account is signed in beside the first (slot 1, no rooms, 4 unread and a mention). */
  otherAccount?: boolean;
  /** Names of the members who have read my latest message in every room (`seen`). */
  seenBy?: string[];
}

/** The BIP-39 test phrase and the first address every wallet derives from it (a known vector, not a derivation). */
const TEST_PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about".split(" ");
const TEST_PHRASE_ADDRESS = "0x9858effd232b4033e47d90003d41ec34ecaeda94";
const QUIZ = [2, 7, 12];
/** The protocol's reaction emoji, as AppInfo gives them (a fixture of w3mq_protocol::REACTIONS). */
const REACTIONS = ["👍", "👎", "❤️", "😂", "😮", "😢", "🙏", "🎉", "🔥", "👀", "✅", "🚀"];

export interface MockBackend extends Backend {
  /** Delivers an event to every listener. */
  emit(e: UiEvent): void;
  /** A message from someone else arrives in a room (fixtures.json's view when it lists it). */
  receive(room_id: string, from_uid: string, text: string): MessageView;
  /** Every command call, in order (for tests). */
  calls: { cmd: string; args: Record<string, unknown> }[];
  goOnline(): void;
  goOffline(reason: string): void;
  /** All messages of a room (for tests). */
  history(room_id: string): MessageView[];
  /** What `copy_text` put on the clipboard, in order (for tests). */
  copied: string[];
  /** Someone says something on a collection room's public channel (a `channel` event, and `messages` when I am in the room). */
  channelSay(room_id: string, from_uid: string, text: string): ChannelMessageView;
  /** A channel event, as Rust would emit it. */
  channelEmit(room_id: string, update: ChannelUpdate): void;
  /** A notification of `slot`'s account was clicked: Rust puts it on screen and asks for the room. */
  clickNotification(slot: number, room_id: string, message_id: string | null): void;
}

const LOCAL: Environment = { kind: "local", http: "http://127.0.0.1:8780", mqtt: ["ws://127.0.0.1:8780/mqtt"] };
const PRESETS: Environment[] = [
  LOCAL,
  { kind: "production", http: "https://chat.web3messaging.online", mqtt: ["wss://msg.web3messaging.online/mqtt"] },
  { kind: "development", http: "https://dev-chat.web3messaging.online", mqtt: ["wss://dev-msg.web3messaging.online/mqtt"] },
];

export function mockBackend(opts: MockOptions = {}): MockBackend {
  const fx = fixtures();
  const ME_ID = fx.me.user_id;
  const ackDelay = opts.ackDelay ?? 400;
  const listeners = new Set<(e: UiEvent) => void>();
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  let account: AccountView | null = null;
  let store: "ok" | "missing" | "locked" | "open" = opts.keychain ?? "ok";
  let settings: Settings = defaultSettings();
  let conn: ConnectionState = { state: "signed_out" };
  let msgCounter = 0;
  const copied: string[] = [];
  // The accounts side by side: slot 0 is the account of everything below; the others are
  // accounts without rooms (enough for the switcher), with counts as Rust would give them.
  interface Other {
    slot: number;
    account: AccountView | null;
    unread: number;
    mentions: number;
  }
  const others: Other[] = [];
  const savedDrafts = new Map<string, SavedDraft>();
  let activeSlot = 0;
  let previousSlot: number | null = null;
  let nextSlot = 1;
  if (opts.otherAccount) {
    others.push({
      slot: nextSlot++,
      account: {
        user_id: "user:carol",
        address: "0x00000000000000000000000000000000000ca201",
        env: LOCAL,
        profile: { ...fx.me, user_id: "user:carol", nick_name: "Carol Second", display_name: "Carol Second", address: "0x00000000000000000000000000000000000ca201", avatar_url: "" },
        backed_up: true,
        has_phrase: false,
      },
      unread: 4,
      mentions: 1,
    });
  }
  const other = () => others.find((o) => o.slot === activeSlot) ?? null;
  function tabs(): AccountTab[] {
    const t = total();
    const tab = (slot: number, a: AccountView | null, unread: number, mentions: number): AccountTab => ({
      slot,
      signed_in: !!a,
      active: slot === activeSlot,
      address: a?.address ?? "",
      name: a?.profile?.display_name || (a ? a.address.slice(0, 6) : "New account"),
      avatar_url: a?.profile?.avatar_url ?? "",
      server: a?.env.http ?? "",
      unread,
      mentions,
    });
    // Slot 0 signed out while another account is signed in is gone, as in Rust.
    const first = !account && activeSlot !== 0 && others.some((o) => o.account) ? [] : [tab(0, account, account ? t.unread : 0, account ? t.mentions : 0)];
    return [...first, ...others.map((o) => tab(o.slot, o.account, o.unread, o.mentions))];
  }
  function switchTo(slot: number, room_id: string | null = null, message_id: string | null = null): void {
    const left = other();
    if (left && !left.account && slot !== left.slot) others.splice(others.indexOf(left), 1);
    activeSlot = slot;
    previousSlot = null;
    queueMicrotask(() => {
      emit({ type: "account_switched", slot, room_id, message_id });
      emit({ type: "accounts", accounts: tabs() });
    });
  }
  const users = new Map<string, UserView>(fx.users.map((u) => [u.user_id, u]));
  interface Room {
    view: RoomView;
    msgs: MessageView[];
    nextSeq: number;
  }
  const rooms = new Map<string, Room>();
  const outbox = new Map<string, MessageView>();
  const received = [...fx.received];

  const emit = (e: UiEvent) => {
    for (const l of [...listeners]) l(e);
  };

  const me = (): UserView => users.get(ME_ID) ?? fx.me;

  function addRoom(view: RoomView, msgs: MessageView[] = []): Room {
    const r: Room = { view, msgs, nextSeq: Math.max(0, ...msgs.map((m) => m.seq ?? 0)) + 1 };
    rooms.set(view.room_id, r);
    return r;
  }

  /** A room made here (create, join): the shape of a fixture room, nothing in it. */
  function newRoom(id: string, kind: RoomView["kind"], title: string, members: string[], extra: Partial<RoomView> = {}): Room {
    const like = fx.rooms.find((r) => r.kind === kind) ?? fx.rooms[0];
    return addRoom({
      ...like,
      room_id: id,
      kind,
      title,
      subtitle: "",
      slug: "",
      creator_id: ME_ID,
      mine: true,
      members: members.map((m) => users.get(m)).filter((u): u is UserView => !!u),
      latest: null,
      preview: "",
      unread: 0,
      mentions: 0,
      notify: "all",
      last_activity_ms: Date.now(),
      ...extra,
    });
  }

  /** A message the fixtures do not hold: the shape of one that does, with this text as one part. */
  function unlisted(room_id: string, from: string, text: string, sent: boolean): MessageView {
    const n = ++msgCounter;
    const mine = from === ME_ID;
    const cid = mine ? `cm-${n}` : null;
    const u = users.get(from);
    return {
      ...fx.pending,
      key: cid ?? `m-${n}`,
      id: sent ? `m-${n}` : null,
      seq: null,
      client_msg_id: cid,
      room_id,
      from_uid: from,
      sender_name: u?.display_name ?? from,
      sender_avatar: u?.avatar_url ?? "",
      mine,
      created_ms: Date.now(),
      contents: { kind: "text", text, parts: text ? [{ kind: "text", text }] : [] },
      preview: text,
      status: sent ? "sent" : "pending",
      error: null,
    };
  }

  /** A message of some room changes as `f` says; the shell hears of it as of a changed message. */
  function changeMessage(id: string, f: (m: MessageView) => MessageView): null {
    for (const r of rooms.values()) {
      const i = r.msgs.findIndex((m) => m.id === id);
      if (i < 0) continue;
      const m = f(r.msgs[i]);
      r.msgs[i] = m;
      queueMicrotask(() => emit({ type: "messages", messages: [m] }));
      return null;
    }
    throw { code: "not_found", message: "message not found" };
  }

  /** A room's latest message changed (counts stay Rust's unless read). */
  function latest(r: Room, m: MessageView): void {
    r.view = { ...r.view, latest: m, last_activity_ms: m.created_ms };
  }

  function total(): UnreadTotal {
    let unread = 0;
    let mentions = 0;
    for (const r of rooms.values()) {
      unread += r.view.unread;
      mentions += r.view.mentions;
    }
    return { unread, mentions };
  }

  function roomChanged(r: Room): void {
    emit({ type: "room_updated", room: r.view });
    emit({ type: "unread_total", total: total() });
  }

  function seed(): void {
    for (const v of fx.rooms) addRoom(v, fx.messages[v.room_id] ?? []);
    const big = opts.bigRoom ?? 0;
    if (big > 0) {
      const b = newRoom("room:big", "group", `Big room (${big.toLocaleString()} messages)`, [ME_ID, "user:alice", "user:bob"]);
      const start = Date.now() - big * 60_000;
      const who = [ME_ID, "user:alice", "user:bob"];
      for (let i = 0; i < big; i++) {
        const t = i % 7 === 0 ? `Message ${i + 1}: a longer line of text so that heights vary a little across the list and wrapping happens on narrow windows.` : `Message ${i + 1}`;
        const m = unlisted(b.view.room_id, who[(i * 7 + (i >> 2)) % 3], t, true);
        b.msgs.push({ ...m, id: `big-${i + 1}`, key: `big-${i + 1}`, client_msg_id: null, seq: b.nextSeq++, status: "sent", created_ms: start + i * 60_000 });
      }
      latest(b, b.msgs[b.msgs.length - 1]);
      if (opts.bigRoomUnread) b.view = { ...b.view, unread: opts.bigRoomUnread };
    }
    account = { user_id: ME_ID, address: me().address, env: LOCAL, profile: me(), backed_up: opts.backedUp ?? true, has_phrase: true };
    conn = opts.offline ? { state: "offline", reason: "mock: offline", retry_in_ms: 5000 } : { state: "online", endpoint: LOCAL.mqtt[0], catching_up: null };
  }

  if (opts.seed) seed();
  // A public collection room nobody here has joined: readable as a channel without an account.
  const unjoined = new Set<string>([fx.public_room.room_id]);
  const publicRoom = addRoom(fx.public_room);
  const channelSeed = new Map<string, ChannelMessageView>(fx.channel.map((c) => [c.id, c]));
  publicRoom.nextSeq = Math.max(0, ...fx.channel.map((c) => c.seq ?? 0)) + 1;

  function sortedRooms(): RoomView[] {
    return [...rooms.values()]
      .filter((r) => !unjoined.has(r.view.room_id))
      .map((r) => r.view)
      .sort((a, b) => b.last_activity_ms - a.last_activity_ms);
  }

  function need<T>(v: T | undefined | null, what: string): T {
    if (v === undefined || v === null) throw { code: "not_found", message: `${what} not found` };
    return v;
  }

  function ack(cid: string): void {
    const pending = outbox.get(cid);
    if (!pending || conn.state !== "online") return;
    const r = rooms.get(pending.room_id);
    if (!r) return;
    outbox.delete(cid);
    const n = pending.key.slice(3);
    const sent: MessageView = { ...pending, id: `m-${n}`, seq: r.nextSeq++, status: "sent", error: null };
    if (pending.contents.kind === "text" && pending.contents.text.includes("fail")) {
      const failed: MessageView = { ...pending, status: "failed", error: "rejected: the mock fails messages that say fail" };
      outbox.set(cid, failed);
      emit({ type: "send_status", message: failed });
      return;
    }
    r.msgs.push(sent);
    latest(r, sent);
    emit({ type: "send_status", message: sent });
    roomChanged(r);
  }

  function scheduleAck(cid: string): void {
    if (ackDelay < 0) return;
    if (ackDelay === 0) queueMicrotask(() => ack(cid));
    else setTimeout(() => ack(cid), ackDelay);
  }

  // Public channels: every collection room is one, by room id or slug.
  const openChannels = new Map<string, { room_id: string; anonymous: boolean }>();
  let poll: PollView | null = null;
  let pollRound = 0;
  const votes = new Map<string, number>();

  function collection(key: string): Room {
    const r = rooms.get(key) ?? [...rooms.values()].find((x) => x.view.slug === key);
    if (!r || r.view.kind !== "collection") throw { code: "not_found", message: "no such channel" };
    return r;
  }

  function status(anonymous: boolean, r: Room): ChannelStatusView {
    const owner = !anonymous && r.view.creator_id === ME_ID;
    return {
      state: { state: "online", endpoint: "ws://mock/chat", roles: anonymous ? [] : [owner ? "Owner" : "User"], permissions: anonymous ? ["connect"] : ["connect", "chat", "poll_vote"] },
      online: true,
      label: "Live",
      can_write: !anonymous,
      can_vote: !anonymous,
      moderator: owner,
    };
  }

  function chatView(m: MessageView): ChannelMessageView {
    const parts = m.contents.kind === "text" ? m.contents.parts : [{ kind: "text" as const, text: "[sudo_swap_card]" }];
    return {
      id: m.id ?? m.key,
      room_id: m.room_id,
      seq: m.seq,
      user_id: m.from_uid,
      sender_name: m.sender_name,
      roles: [rooms.get(m.room_id)?.view.creator_id === m.from_uid ? "Owner" : "User"],
      created_ms: m.created_ms,
      text: m.contents.kind === "text" ? m.contents.text : "[sudo_swap_card]",
      parts,
      whisper: false,
      mine: !!account && m.from_uid === ME_ID,
    };
  }

  function openChannel(key: string, anonymous: boolean): Room {
    const r = collection(key);
    openChannels.set(key, { room_id: r.view.room_id, anonymous });
    return r;
  }

  function channelOf(key: string): { r: Room; anonymous: boolean } {
    const c = openChannels.get(key) ?? [...openChannels.values()].find((x) => x.room_id === key);
    if (!c) throw { code: "not_found", message: "the channel is not open" };
    return { r: need(rooms.get(c.room_id), "room"), anonymous: c.anonymous };
  }

  function moderate(key: string): Room {
    const { r, anonymous } = channelOf(key);
    if (anonymous || r.view.creator_id !== ME_ID) throw { code: "forbidden", message: "not allowed on this channel" };
    return r;
  }

  function channelEmit(room_id: string, update: ChannelUpdate): void {
    emit({ type: "channel", room_id, update });
  }

  function deleteWhere(r: Room, pred: (m: MessageView) => boolean): string[] {
    const ids = r.msgs.filter(pred).map((m) => m.id ?? "");
    r.msgs = r.msgs.filter((m) => !pred(m));
    return ids;
  }

  /** A channel's history: the fixture's chat messages (the public room), then what was said here. */
  function channelHistory(r: Room): ChannelMessageView[] {
    const seeded = r === publicRoom ? [...channelSeed.values()] : [];
    return [...seeded, ...r.msgs.map(chatView)];
  }

  /** A message said here into a room, with the room's next seq. */
  function say(r: Room, from: string, text: string): MessageView {
    const m = { ...unlisted(r.view.room_id, from, text, true), seq: r.nextSeq++ };
    r.msgs.push(m);
    latest(r, m);
    return m;
  }

  function signIn(env: Environment, backed_up: boolean, has_phrase: boolean): AccountView {
    const o = other();
    if (o) {
      // An added account: a fresh one, with nothing in it.
      o.account = { user_id: `user:added-${o.slot}`, address: `0x${String(o.slot).padStart(40, "a")}`, env, profile: { ...fx.me_unnamed, user_id: `user:added-${o.slot}` }, backed_up, has_phrase };
      queueMicrotask(() => emit({ type: "accounts", accounts: tabs() }));
      return o.account;
    }
    if (!opts.seed && !account) users.set(ME_ID, fx.me_unnamed);
    account = { user_id: ME_ID, address: me().address, env, profile: me(), backed_up, has_phrase };
    conn = { state: "online", endpoint: env.mqtt[0] ?? "", catching_up: null };
    queueMicrotask(() => emit({ type: "connection", state: conn }));
    return account;
  }

  const impl: Record<string, (a: Record<string, any>) => unknown> = {
    channel_open: (a) => {
      if (!account) throw { code: "not_signed_in", message: "not signed in" };
      const r = openChannel(a.room_id, false);
      if (unjoined.delete(r.view.room_id)) {
        r.view = { ...r.view, members: [...r.view.members, me()] };
        emit({ type: "room_updated", room: r.view });
      }
      return { channel: a.room_id, room_id: r.view.room_id, status: status(false, r), messages: [] };
    },
    channel_open_public: (a) => {
      if (!isHttpUrl(a.http)) throw { code: "invalid_input", message: "the server URL must start with http:// or https://" };
      const key = String(a.channel).trim();
      if (!/^[A-Za-z0-9_:-]{1,128}$/.test(key)) throw { code: "invalid_input", message: `${JSON.stringify(key)} is not a channel id` };
      const r = openChannel(key, true);
      return { channel: key, room_id: r.view.room_id, status: status(true, r), messages: channelHistory(r).slice(-50) };
    },
    channel_close: (a) => {
      for (const [k, c] of openChannels) if (k === a.channel || c.room_id === a.channel) openChannels.delete(k);
      return null;
    },
    channel_history: (a) => channelHistory(channelOf(a.channel).r).slice(-Math.min(100, Number(a.limit))),
    channel_send: (a) => {
      const { r, anonymous } = channelOf(a.channel);
      if (anonymous) throw { code: "forbidden", message: "not allowed on this channel" };
      if (!String(a.text).trim()) throw { code: "invalid_input", message: "the text is blank" };
      const m = say(r, ME_ID, String(a.text));
      const v = chatView(m);
      channelEmit(r.view.room_id, { kind: "message", message: v });
      emit({ type: "messages", messages: [m] });
      return v;
    },
    channel_vote_start: (a) => {
      const r = moderate(a.channel);
      const answers = (a.answers as string[]).map((x) => x.trim()).filter(Boolean);
      if (!String(a.question).trim() || answers.length < 2 || answers.length > 10) throw { code: "invalid_input", message: "a poll has a question, 2 to 10 answers and 1 s to 24 h" };
      if (poll && !poll.ended) throw { code: "invalid_input", message: "4004: bad request: a poll is running" };
      votes.clear();
      poll = {
        question: String(a.question).trim(),
        answers: answers.map((text) => ({ text, votes: 0, percent: 0 })),
        voters: 0,
        ends_ms: Date.now() + Number(a.seconds) * 1000,
        ended: false,
        author_name: me().display_name,
      };
      const p = poll;
      const round = ++pollRound;
      channelEmit(r.view.room_id, { kind: "poll", poll: p });
      setTimeout(() => {
        if (round !== pollRound || !poll) return;
        poll = { ...poll, ended: true };
        channelEmit(r.view.room_id, { kind: "poll", poll });
      }, Number(a.seconds) * 1000);
      return p;
    },
    channel_vote: (a) => {
      const { r, anonymous } = channelOf(a.channel);
      if (anonymous) throw { code: "forbidden", message: "not allowed on this channel" };
      if (!poll || poll.ended || Number(a.index) >= poll.answers.length) throw { code: "invalid_input", message: "4004: bad request: no poll is running" };
      votes.set(ME_ID, Number(a.index));
      const counts = poll.answers.map((_, i) => [...votes.values()].filter((v) => v === i).length);
      const total = votes.size;
      poll = { ...poll, voters: total, answers: poll.answers.map((x, i) => ({ ...x, votes: counts[i], percent: Math.round((counts[i] * 100) / total) })) };
      channelEmit(r.view.room_id, { kind: "poll", poll });
      return null;
    },
    channel_delete: (a) => {
      const r = moderate(a.channel);
      const ids = deleteWhere(r, (m) => m.id === a.message_id);
      if (!ids.length) throw { code: "invalid_input", message: "4004: bad request: no such message" };
      channelEmit(r.view.room_id, { kind: "deleted", ids });
      emit({ type: "messages_deleted", room_id: r.view.room_id, ids });
      roomChanged(r);
      return null;
    },
    channel_timeout: (a) => {
      const r = moderate(a.channel);
      const u = users.get(a.user);
      const name = u?.display_name ?? String(a.user);
      channelEmit(r.view.room_id, { kind: "timeout", user_id: u?.user_id ?? String(a.user), user_name: name, text: Number(a.seconds) ? `${name} is timed out for ${a.seconds} seconds` : `${name} may chat again` });
      return null;
    },
    channel_purge: (a) => {
      const r = moderate(a.channel);
      const ids = deleteWhere(r, (m) => m.from_uid === a.user);
      channelEmit(r.view.room_id, { kind: "purged", user_id: a.user });
      emit({ type: "messages_deleted", room_id: r.view.room_id, ids });
      roomChanged(r);
      return null;
    },
    channel_clear: (a) => {
      const r = moderate(a.channel);
      r.msgs = [];
      channelEmit(r.view.room_id, { kind: "cleared" });
      emit({ type: "room_cleared", room_id: r.view.room_id });
      roomChanged(r);
      return null;
    },
    app_info: (): AppInfo => ({ version: "0.1.0-mock", default_env: LOCAL, presets: PRESETS, tray: false, reactions: REACTIONS }),
    // Message changes: the server's answer as Rust would show it (the fixtures' shapes).
    react: (a) => {
      if (!REACTIONS.includes(a.emoji)) throw { code: "invalid_input", message: "a reaction is one of the protocol's emoji" };
      return changeMessage(a.message_id, (m) => {
        const rs = m.reactions.map((r) => ({ ...r, names: [...r.names] }));
        const i = rs.findIndex((r) => r.emoji === a.emoji);
        if (a.on && (i < 0 || !rs[i].mine)) {
          if (i < 0) rs.push({ emoji: a.emoji, count: 1, mine: true, names: [me().display_name] });
          else rs[i] = { ...rs[i], count: rs[i].count + 1, mine: true, names: [...rs[i].names, me().display_name] };
        } else if (!a.on && i >= 0 && rs[i].mine) {
          if (rs[i].count <= 1) rs.splice(i, 1);
          else rs[i] = { ...rs[i], count: rs[i].count - 1, mine: false, names: rs[i].names.filter((n) => n !== me().display_name) };
        }
        return { ...m, reactions: rs };
      });
    },
    edit_message: (a) =>
      changeMessage(a.message_id, (m) => {
        if (!m.mine) throw { code: "forbidden", message: "only its author edits a message" };
        const text = String(a.text).trim();
        return { ...m, edited: true, contents: { kind: "text", text, parts: [{ kind: "text", text }] }, preview: text };
      }),
    delete_message: (a) =>
      changeMessage(a.message_id, (m) => ({ ...m, deleted: true, edited: false, reactions: [], contents: { kind: "deleted" }, preview: "Message deleted" })),
    boot: () => {
      const o = other();
      const common = { info: impl.app_info({}), settings, secrets_locked: store === "locked", accounts: tabs() };
      if (o) return { ...common, account: o.account, rooms: [], connection: o.account ? conn : { state: "signed_out" }, total: { unread: o.unread, mentions: o.mentions } };
      return { ...common, account, rooms: account ? sortedRooms() : [], connection: conn, total: total() };
    },
    accounts: () => tabs(),
    drafts: (): SavedDraft[] => [...savedDrafts.values()],
    save_draft: (a) => {
      const d = a.draft as SavedDraft;
      if (!d.text && !d.reply_to && d.mentions.length === 0) savedDrafts.delete(d.key);
      else savedDrafts.set(d.key, d);
      return null;
    },
    add_account: () => {
      if (others.length + 1 >= 9) throw { code: "invalid_input", message: "at most 9 accounts side by side" };
      const slot = nextSlot++;
      others.push({ slot, account: null, unread: 0, mentions: 0 });
      const prev = activeSlot;
      switchTo(slot);
      previousSlot = prev;
      return slot;
    },
    switch_account: (a) => {
      const slot = Number(a.slot);
      if (slot !== 0 && !others.some((o) => o.slot === slot)) throw { code: "invalid_input", message: `no account in slot ${slot}` };
      if (slot !== activeSlot) switchTo(slot);
      return null;
    },
    cancel_add_account: () => {
      const back = previousSlot ?? (account ? 0 : others.find((o) => o.account)?.slot ?? null);
      if (back === null) return false;
      switchTo(back);
      return true;
    },
    secret_store: (): SecretStoreStatus => ({
      kind: store === "ok" ? "keychain" : store === "missing" ? "keychain" : "sealed",
      locked: store === "locked",
      keychain_error: store === "missing" ? "no secret service provider or dbus session found" : null,
    }),
    use_sealed_store: () => {
      if (store !== "missing") throw { code: "invalid_input", message: "the keychain answers: your secrets stay in it" };
      store = "open";
      return null;
    },
    unlock_secrets: (a) => {
      if (a.passphrase !== "plum-orbit-cactus-97") throw { code: "invalid_key", message: "wrong passphrase" };
      store = "open";
      return null;
    },
    password_strength: (a) => {
      // Not an estimate: a length ladder standing in for zxcvbn's score.
      const n = String(a.password).length;
      const score = n === 0 ? 0 : n < 6 ? 1 : n < 10 ? 2 : n < 16 ? 3 : 4;
      return { score, label: ["empty", "weak", "fair", "strong", "very strong"][score], hint: null };
    },
    new_account: (): PhraseBackup => ({ address: TEST_PHRASE_ADDRESS, words: TEST_PHRASE, quiz: QUIZ }),
    sign_in_new: (a): AccountView => {
      const answers = a.answers as string[] | null;
      if (answers && !QUIZ.every((p, i) => answers[i]?.trim().toLowerCase() === TEST_PHRASE[p - 1])) {
        throw { code: "invalid_input", message: "those are not words #2, #7, #12 of your recovery phrase: look at your copy again" };
      }
      return signIn(a.env as Environment, !!answers, true);
    },
    restore: (a): AccountView => {
      const r = a.restore as Restore;
      if (r.kind === "private_key" && !/^(0x)?[0-9a-fA-F]{64}$/.test(r.private_key.trim())) {
        throw { code: "invalid_key", message: "invalid private key: expected 64 hex digits" };
      }
      if (r.kind === "keystore" && r.password !== "testpassword") throw { code: "invalid_key", message: "invalid private key: wrong password for this keystore file" };
      return signIn(a.env as Environment, true, r.kind === "phrase");
    },
    read_keystore_file: (a) => ({ name: a.path ? String(a.path).split("/").pop()! : "UTC--2026-12-03--mock", json: "{\"version\":3}" }),
    backup_state: () => ({ backed_up: account?.backed_up ?? false, has_phrase: account?.has_phrase ?? false }),
    reveal_phrase: (): PhraseBackup => ({ address: account?.address ?? "", words: TEST_PHRASE, quiz: QUIZ }),
    confirm_backup: (a) => {
      const answers = a.answers as string[];
      if (!QUIZ.every((p, i) => answers[i]?.trim().toLowerCase() === TEST_PHRASE[p - 1])) {
        throw { code: "invalid_input", message: "those are not words #2, #7, #12 of your recovery phrase: look at your copy again" };
      }
      if (account) account = { ...account, backed_up: true };
      return { backed_up: true, has_phrase: account?.has_phrase ?? false };
    },
    export_keystore: () => {
      if (account) account = { ...account, backed_up: true };
      return { backed_up: true, has_phrase: account?.has_phrase ?? false };
    },
    sign_out: (a) => {
      const o = other();
      const acc = o ? o.account : account;
      if (acc && !acc.backed_up && String(a.confirmation ?? "").trim().toLowerCase() !== "delete my key") {
        throw { code: "not_backed_up", message: "this account was never backed up" };
      }
      if (o) o.account = null;
      else {
        account = null;
        conn = { state: "signed_out" };
        emit({ type: "connection", state: conn });
      }
      // Rust puts another signed-in account on screen.
      const back = o ? (account ? 0 : null) : (others.find((x) => x.account)?.slot ?? null);
      if (back !== null) switchTo(back);
      else queueMicrotask(() => emit({ type: "accounts", accounts: tabs() }));
      return null;
    },
    set_nickname: (a) => {
      const nick = String(a.nick_name).trim();
      if (!nick || nick.length > 64) throw { code: "invalid", message: "a nickname has 1 to 64 characters" };
      const u = { ...me(), nick_name: nick, display_name: nick };
      users.set(ME_ID, u);
      if (account) account = { ...account, profile: u };
      return u;
    },
    rooms: () => (other() ? [] : sortedRooms()),
    room: (a) => need(rooms.get(a.room_id), "room").view,
    messages: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      const cursor = a.cursor as Cursor;
      const limit = Math.min(200, Math.max(1, Number(a.limit)));
      let page: MessageView[];
      if (cursor.kind === "latest") page = r.msgs.slice(-limit);
      else if (cursor.kind === "before") {
        const end = r.msgs.findIndex((m) => (m.seq ?? 0) >= cursor.seq);
        const e = end < 0 ? r.msgs.length : end;
        page = r.msgs.slice(Math.max(0, e - limit), e);
      } else {
        const s = r.msgs.findIndex((m) => (m.seq ?? 0) > cursor.seq);
        page = s < 0 ? [] : r.msgs.slice(s, s + limit);
      }
      if (cursor.kind === "latest") page = [...page, ...[...outbox.values()].filter((m) => m.room_id === r.view.room_id)];
      return page;
    },
    messages_around: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      const i = r.msgs.findIndex((m) => m.id === a.message_id);
      if (i < 0) throw { code: "not_found", message: "message not found" };
      const limit = Math.min(200, Number(a.limit));
      return r.msgs.slice(Math.max(0, i - limit), i + limit + 1);
    },
    thread: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      return r.msgs.filter((m) => m.id === a.thread_id || m.thread_id === a.thread_id);
    },
    send: (a) => {
      const d = a.draft as Draft;
      const r = need(rooms.get(d.room_id), "room");
      if (!d.text?.trim() && !d.swap_card && !d.item) throw { code: "invalid", message: "empty message" };
      const quoted = d.reply_to ? r.msgs.find((x) => x.id === d.reply_to) : undefined;
      const m: MessageView = {
        ...unlisted(r.view.room_id, ME_ID, d.text ?? "", false),
        contents: d.swap_card ? { kind: "swap_card", card: d.swap_card } : { kind: "text", text: d.text ?? "", parts: d.text ? [{ kind: "text", text: d.text }] : [] },
        reply: d.reply_to ? { id: d.reply_to, sender_name: quoted?.sender_name ?? "", text: quoted?.preview ?? "", found: !!quoted, deleted: quoted?.deleted ?? false } : null,
        thread_id: d.thread_id,
        is_thread: !!d.item,
        item: d.item ? { ...d.item, url: "" } : null,
      };
      outbox.set(m.key, m);
      scheduleAck(m.key);
      return m;
    },
    retry: (a) => {
      const m = need(outbox.get(a.client_msg_id), "message");
      const p: MessageView = { ...m, status: "pending", error: null, contents: m.contents.kind === "text" ? { ...m.contents, text: m.contents.text.replace("fail", "ok") } : m.contents };
      outbox.set(m.key, p);
      emit({ type: "send_status", message: p });
      scheduleAck(m.key);
      return null;
    },
    discard: (a) => {
      const m = need(outbox.get(a.client_msg_id), "message");
      outbox.delete(m.key);
      emit({ type: "outbox_discarded", client_msg_id: m.key, room_id: m.room_id });
      return null;
    },
    mark_read: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      // Read to the end: nothing unread (Rust counts; the mock only knows "all read").
      if (Number(a.seq) >= (r.view.latest?.seq ?? 0) && (r.view.unread || r.view.mentions)) {
        r.view = { ...r.view, unread: 0, mentions: 0 };
        roomChanged(r);
      }
      return null;
    },
    set_focus: () => null,
    first_unread: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      // Rust finds it by the read marker; the mock counts the room's unread from the end.
      const others = r.msgs.filter((m) => !m.mine && !(m.thread_id && !m.is_thread));
      const n = r.view.unread;
      return n > 0 && others.length >= n ? others[others.length - n].id : null;
    },
    seen: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      const mine = [...r.msgs].reverse().find((m) => m.mine && m.seq !== null);
      if (!mine || !opts.seenBy) return null;
      return { msg_id: mine.id ?? "", count: opts.seenBy.length, names: opts.seenBy, direct: r.view.kind === "direct" };
    },
    typing: () => null,
    set_notify_mode: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      r.view = { ...r.view, notify: a.mode as NotifyMode };
      emit({ type: "room_updated", room: r.view });
      return null;
    },
    set_profile: (a) => {
      const nick = a.nick_name == null ? null : String(a.nick_name).trim();
      const avatar = a.avatar_url == null ? null : String(a.avatar_url).trim();
      if (nick !== null && (!nick || nick.length > 64)) throw { code: "invalid_input", message: "a nickname has 1 to 64 characters" };
      if (avatar && !avatar.startsWith("https://")) throw { code: "invalid_input", message: "an avatar is an https:// address of a picture" };
      const cur = me();
      const u = { ...cur, nick_name: nick ?? cur.nick_name, display_name: nick ?? cur.display_name, avatar_url: avatar ?? cur.avatar_url };
      users.set(ME_ID, u);
      if (account) account = { ...account, profile: u };
      return u;
    },
    share: () => {
      // A stand-in pattern, not a QR code: the mock draws nothing Rust would compute.
      const size = 21;
      return { address: me().address, text: `Message me on Web3MQ: ${me().address}`, qr: { size, dark: Array.from({ length: size * size }, (_, i) => (i * 7) % 3 === 0) } };
    },
    open_direct: (a) => {
      const existing = [...rooms.values()].find((r) => r.view.kind === "direct" && r.view.members.some((m) => m.user_id === a.user_id));
      return existing ? existing.view : impl.create_room({ user_ids: [a.user_id] });
    },
    create_room: (a) => {
      const ids = a.user_ids as string[];
      if (!ids.length) throw { code: "invalid", message: "pick at least one person" };
      const kind = ids.length === 1 ? "direct" : "group";
      const title = ids.map((i) => users.get(i)?.display_name ?? i).join(", ");
      const r = newRoom(`room:${++msgCounter}`, kind, title, [ME_ID, ...ids]);
      emit({ type: "room_updated", room: r.view });
      return r.view;
    },
    join_collection: (a) => {
      const slug = String(a.slug).trim();
      if (!/^[a-z0-9-]+$/.test(slug)) throw { code: "invalid", message: "a slug is lowercase letters, digits and dashes" };
      const id = `room:coll:${slug}`;
      const r = rooms.get(id) ?? newRoom(id, "collection", String(a.name).trim() || slug, [ME_ID], { slug, subtitle: slug, avatar_url: isHttpUrl(a.cover) ? a.cover : "" });
      emit({ type: "room_updated", room: r.view });
      return r.view;
    },
    add_members: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      const add = (a.user_ids as string[]).map((i) => users.get(i)).filter((u): u is UserView => !!u);
      r.view = { ...r.view, members: [...r.view.members, ...add.filter((u) => !r.view.members.some((m) => m.user_id === u.user_id))] };
      emit({ type: "room_updated", room: r.view });
      return r.view;
    },
    leave_room: (a) => {
      need(rooms.get(a.room_id), "room");
      rooms.delete(a.room_id);
      emit({ type: "room_removed", room_id: a.room_id });
      return null;
    },
    refresh_room: (a) => need(rooms.get(a.room_id), "room").view,
    search_users: (a) => {
      const k = String(a.keyword).toLowerCase();
      return [...users.values()].filter((u) => u.user_id !== ME_ID && k && [u.nick_name, u.address, u.ens_name].some((f) => f.toLowerCase().includes(k)));
    },
    // The hits Rust found for the fixture's queries (fixtures.json lists them); none for others.
    search: (a): SearchResults => {
      // Rust's hits for the query (fixtures), narrowed by the filter's room and sender.
      const f = a.filter as SearchFilter;
      const all = (fx.search[String(a.query).trim().toLowerCase()] ?? []).filter(
        (h) => (!f.room_id || h.message.room_id === f.room_id) && (!f.from_uid || h.message.from_uid === f.from_uid),
      );
      return { hits: all.slice(0, Number(a.limit)), total: all.length, more: false };
    },
    room_threads: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      return r.msgs.filter((m) => m.is_thread).reverse();
    },
    start_thread: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      const i = r.msgs.findIndex((m) => m.id === a.message_id);
      if (i < 0) throw { code: "not_found", message: "message not found" };
      const item = a.item as OpenSeaItem | null;
      const m: MessageView = {
        ...r.msgs[i],
        is_thread: true,
        item: item ? { ...item, url: `https://opensea.io/assets/ethereum/${item.contract_address}/${item.token_id}` } : r.msgs[i].item,
      };
      r.msgs[i] = m;
      emit({ type: "messages", messages: [m] });
      return m;
    },
    item_from_url: (a): OpenSeaItem => {
      const m = /^https:\/\/opensea\.io\/assets\/[a-z]+\/(0x[0-9a-fA-F]{40})\/(\d+)/.exec(String(a.url));
      if (!m) throw { code: "invalid", message: "not an OpenSea item URL (https://opensea.io/assets/…/<contract>/<token id>)" };
      return { contract_address: m[1], token_id: m[2], name: "", description: "", image_url: "" };
    },
    open_external: (a) => {
      if (!isHttpUrl(a.url)) throw { code: "invalid", message: "only http(s) links can be opened" };
      if (typeof window !== "undefined" && typeof window.open === "function" && !import.meta.env.VITEST) window.open(a.url, "_blank", "noopener");
      return null;
    },
    connection: () => conn,
    unread_total: () => total(),
    get_settings: () => settings,
    set_settings: (a) => {
      settings = { ...(a.settings as Settings) };
      return settings;
    },
    focus_window: () => null,
    first_paint: () => null,
    // The WebView zooms, not the mock: only the reset shows in the settings.
    zoom: (a) => {
      if (a.step === "reset") settings = { ...settings, zoom_percent: 100 };
      return settings;
    },
    copy_text: (a) => {
      copied.push(String(a.text));
      return null;
    },
    system_dark: () => opts.systemDark ?? null,
    theme_shown: () => null,
    log_ui: () => null,
    copy_debug_log: () => {
      copied.push("(the mock has no log)");
      return 17;
    },
    reconnect_now: () => null,
  };

  const invoke = async <T>(cmd: string, args: Record<string, unknown>): Promise<T> => {
    calls.push({ cmd, args });
    const f = impl[cmd];
    if (!f) throw { code: "unknown_command", message: cmd };
    await Promise.resolve();
    return f(args as Record<string, any>) as T;
  };

  const cmds: Commands = commands(invoke);

  return {
    commands: cmds,
    listen: async (h) => {
      listeners.add(h);
      return () => listeners.delete(h);
    },
    emit,
    calls,
    receive(room_id, from_uid, text) {
      const r = need(rooms.get(room_id), "room");
      const i = received.findIndex((x) => x.room_id === room_id && x.from_uid === from_uid && x.text === text);
      let m: MessageView;
      if (i >= 0) {
        const [fix] = received.splice(i, 1);
        m = fix.message;
        r.msgs.push(m);
        r.view = fix.room;
        r.nextSeq = (m.seq ?? 0) + 1;
      } else {
        m = say(r, from_uid, text);
      }
      emit({ type: "messages", messages: [m] });
      roomChanged(r);
      return m;
    },
    goOnline() {
      conn = { state: "online", endpoint: account?.env.mqtt[0] ?? "", catching_up: null };
      emit({ type: "connection", state: conn });
      for (const cid of [...outbox.keys()]) setTimeout(() => ack(cid), Math.max(0, ackDelay));
    },
    goOffline(reason) {
      conn = { state: "offline", reason, retry_in_ms: 5000 };
      emit({ type: "connection", state: conn });
    },
    history: (room_id) => rooms.get(room_id)?.msgs ?? [],
    copied,
    channelSay(room_id, from_uid, text) {
      const r = collection(room_id);
      const m = say(r, from_uid, text);
      const v = chatView(m);
      channelEmit(r.view.room_id, { kind: "message", message: v });
      if (account) {
        emit({ type: "messages", messages: [m] });
        roomChanged(r);
      }
      return v;
    },
    channelEmit,
    clickNotification(slot, room_id, message_id) {
      if (slot === activeSlot) emit({ type: "open_room", room_id, message_id });
      else switchTo(slot, room_id, message_id);
    },
  };
}
