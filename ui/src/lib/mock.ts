// An in-memory Backend for the browser (npm run dev) and for tests: accounts,
// rooms, paged history, search, and sends that turn pending → sent through a
// send_status event, like Rust does. Counts and order are computed here the
// way Rust computes them, so the UI only shows what it is given.
import type { Backend } from "./backend";
import type {
  AccountView,
  ChannelMessageView,
  ChannelStatusView,
  ChannelUpdate,
  PollView,
  AppInfo,
  ConnectionState,
  Contents,
  Cursor,
  Draft,
  Environment,
  KeyInput,
  MessageView,
  NotifyMode,
  OpenSeaItem,
  RoomView,
  SearchHitView,
  Settings,
  TextPart,
  UiEvent,
  UnreadTotal,
  UserView,
} from "./bindings";
import { commands, type Commands } from "./bindings";
import { isHttpUrl } from "./urls";

export interface MockOptions {
  /** Start signed in with sample rooms. */
  seed?: boolean;
  /** Messages in the big sample room. */
  bigRoom?: number;
  /** Milliseconds before a send is acknowledged; negative: never (stays pending). */
  ackDelay?: number;
  /** Start offline (sends stay pending until `goOnline`). */
  offline?: boolean;
}

export interface MockBackend extends Backend {
  /** Delivers an event to every listener. */
  emit(e: UiEvent): void;
  /** A message from someone else arrives in a room. */
  receive(room_id: string, from_uid: string, text: string, mentions?: string[]): MessageView;
  /** Every command call, in order (for tests). */
  calls: { cmd: string; args: Record<string, unknown> }[];
  goOnline(): void;
  goOffline(reason: string): void;
  /** All messages of a room (for tests). */
  history(room_id: string): MessageView[];
  /** Someone says something on a collection room's public channel (a `channel` event, and `messages` when I am in the room). */
  channelSay(room_id: string, from_uid: string, text: string): ChannelMessageView;
  /** A channel event, as Rust would emit it. */
  channelEmit(room_id: string, update: ChannelUpdate): void;
}

const LOCAL: Environment = { kind: "local", http: "http://127.0.0.1:8780", mqtt: ["ws://127.0.0.1:8780/mqtt"] };
const PRESETS: Environment[] = [
  LOCAL,
  { kind: "production", http: "https://chat.web3messaging.online", mqtt: ["wss://msg.web3messaging.online/mqtt"] },
  { kind: "development", http: "https://dev-chat.web3messaging.online", mqtt: ["wss://dev-msg.web3messaging.online/mqtt"] },
];

function user(id: string, nick: string, address: string, extra: Partial<UserView> = {}): UserView {
  return {
    user_id: id,
    nick_name: nick,
    address,
    ens_name: "",
    display_name: nick || `${address.slice(0, 6)}…${address.slice(-4)}`,
    avatar_url: "",
    socials: [],
    ...extra,
  };
}

function addr(n: number): string {
  return "0x" + n.toString(16).padStart(40, "0");
}

const ME_ID = "user:me";

export function mockBackend(opts: MockOptions = {}): MockBackend {
  const ackDelay = opts.ackDelay ?? 400;
  const listeners = new Set<(e: UiEvent) => void>();
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  let account: AccountView | null = null;
  let settings: Settings = { theme: "system", notifications: true, remote_images: "always" };
  let conn: ConnectionState = { state: "signed_out" };
  let msgCounter = 0;
  const users = new Map<string, UserView>();
  interface Room {
    view: RoomView;
    msgs: MessageView[];
    readSeq: number;
    nextSeq: number;
  }
  const rooms = new Map<string, Room>();
  const outbox = new Map<string, MessageView>();

  const emit = (e: UiEvent) => {
    for (const l of [...listeners]) l(e);
  };

  const me = (): UserView => users.get(ME_ID) ?? user(ME_ID, "", addr(1));

  function parts(text: string, mentions: string[]): TextPart[] {
    const out: TextPart[] = [];
    const names = mentions
      .map((id) => users.get(id))
      .filter((u): u is UserView => !!u)
      .map((u) => ({ token: `@${u.display_name}`, u }));
    const re = /https?:\/\/[^\s<>"]+/g;
    const pushText = (s: string) => {
      let rest = s;
      while (rest) {
        let best: { i: number; token: string; u: UserView } | null = null;
        for (const n of names) {
          const i = rest.indexOf(n.token);
          if (i >= 0 && (!best || i < best.i)) best = { i, ...n };
        }
        if (!best) {
          out.push({ kind: "text", text: rest });
          break;
        }
        if (best.i > 0) out.push({ kind: "text", text: rest.slice(0, best.i) });
        out.push({ kind: "mention", text: best.token, user_id: best.u.user_id, me: best.u.user_id === ME_ID });
        rest = rest.slice(best.i + best.token.length);
      }
    };
    let last = 0;
    for (const m of text.matchAll(re)) {
      pushText(text.slice(last, m.index));
      if (isHttpUrl(m[0])) out.push({ kind: "link", text: m[0], url: m[0] });
      else out.push({ kind: "text", text: m[0] });
      last = (m.index ?? 0) + m[0].length;
    }
    pushText(text.slice(last));
    return out;
  }

  function preview(c: Contents): string {
    if (c.kind === "text") return c.text.replace(/\s+/g, " ").slice(0, 140);
    if (c.kind === "swap_card") return `Trade card: ${c.card.orderStatus}`;
    return "Unsupported message";
  }

  function findMsg(room: Room, id: string | null): MessageView | undefined {
    if (!id) return undefined;
    return room.msgs.find((m) => m.id === id);
  }

  function makeMessage(room: Room, from: string, d: Omit<Draft, "room_id">, at: number, sent: boolean): MessageView {
    const u = users.get(from);
    const contents: Contents = d.swap_card
      ? { kind: "swap_card", card: d.swap_card }
      : { kind: "text", text: d.text ?? "", parts: parts(d.text ?? "", d.mentions) };
    const quoted = findMsg(room, d.reply_to);
    const n = ++msgCounter;
    const cid = from === ME_ID ? `cm-${n}` : null;
    const item = d.item
      ? { ...d.item, url: `https://opensea.io/assets/ethereum/${d.item.contract_address}/${d.item.token_id}` }
      : null;
    return {
      key: cid ?? `m-${n}`,
      id: sent ? `m-${n}` : null,
      seq: sent ? room.nextSeq++ : null,
      client_msg_id: cid,
      room_id: room.view.room_id,
      from_uid: from,
      sender_name: u?.display_name ?? from,
      sender_avatar: u?.avatar_url ?? "",
      mine: from === ME_ID,
      created_ms: at,
      contents,
      preview: preview(contents),
      reply: d.reply_to
        ? { id: d.reply_to, sender_name: quoted?.sender_name ?? "", text: quoted?.preview ?? "", found: !!quoted }
        : null,
      thread_id: d.thread_id,
      is_thread: !!d.item,
      item,
      mentions_me: from !== ME_ID && d.mentions.includes(ME_ID),
      status: sent ? "sent" : "pending",
      error: null,
    };
  }

  function counts(r: Room): void {
    let unread = 0;
    let mentions = 0;
    for (let i = r.msgs.length - 1; i >= 0; i--) {
      const m = r.msgs[i];
      if ((m.seq ?? 0) <= r.readSeq) break;
      if (!m.mine) {
        unread++;
        if (m.mentions_me) mentions++;
      }
    }
    const latest = r.msgs[r.msgs.length - 1] ?? null;
    r.view = {
      ...r.view,
      unread,
      mentions,
      latest,
      preview: latest ? (r.view.kind === "direct" ? "" : `${latest.sender_name}: `) + latest.preview : "",
      last_activity_ms: latest ? latest.created_ms : r.view.last_activity_ms,
    };
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
    counts(r);
    emit({ type: "room_updated", room: r.view });
    emit({ type: "unread_total", total: total() });
  }

  function newRoom(id: string, kind: RoomView["kind"], title: string, members: string[], extra: Partial<RoomView> = {}): Room {
    const r: Room = {
      view: {
        room_id: id,
        kind,
        title,
        subtitle: kind === "direct" ? "" : `${members.length} members`,
        avatar_url: "",
        description: "",
        slug: "",
        creator_id: ME_ID,
        mine: true,
        members: members.map((m) => users.get(m)!).filter(Boolean),
        latest: null,
        preview: "",
        unread: 0,
        mentions: 0,
        notify: "all",
        last_activity_ms: Date.now(),
        ...extra,
      },
      msgs: [],
      readSeq: 0,
      nextSeq: 1,
    };
    rooms.set(id, r);
    return r;
  }

  function seed(): void {
    users.set(ME_ID, user(ME_ID, "me", addr(1)));
    users.set("user:alice", user("user:alice", "alice", addr(2), {
      ens_name: "alice.eth",
      socials: [{ platform: "twitter", username: "alice", verified: true, avatar_url: "" }],
    }));
    users.set("user:bob", user("user:bob", "bob", addr(3)));
    users.set("user:carol", user("user:carol", "carol", addr(4)));
    users.set("user:mallory", user("user:mallory", `<img src=x onerror=alert(1)>`, addr(5)));
    const now = Date.now();
    const dm = newRoom("room:alice", "direct", "alice", [ME_ID, "user:alice"], { subtitle: addr(2) });
    const say = (r: Room, from: string, text: string, at: number, extra: Partial<Omit<Draft, "room_id">> = {}) => {
      const m = makeMessage(r, from, { text, swap_card: null, reply_to: null, thread_id: null, mentions: [], item: null, ...extra }, at, true);
      r.msgs.push(m);
      return m;
    };
    const first = say(dm, "user:alice", "hey! did you see the new collection?", now - 86_400_000 * 2);
    say(dm, ME_ID, "Not yet, link?", now - 86_400_000 * 2 + 60_000);
    say(dm, "user:alice", "https://opensea.io/collection/doodles-official and javascript:alert(1)", now - 86_400_000 * 2 + 90_000);
    say(dm, "user:alice", "looks nice", now - 3_600_000, { reply_to: first.id });
    dm.readSeq = 2;
    const g = newRoom("room:group", "group", "Degen friends", [ME_ID, "user:alice", "user:bob", "user:carol", "user:mallory"]);
    say(g, "user:bob", "gm everyone", now - 7_200_000);
    say(g, "user:carol", "gm @me, want to trade?", now - 7_100_000, { mentions: [ME_ID] });
    say(g, "user:mallory", `<img src=x onerror=alert(1)> <script>alert(2)</script>`, now - 7_000_000);
    const card = say(g, "user:carol", "", now - 6_900_000, {
      swap_card: {
        orderStatus: "open",
        expiryDate: new Date(now + 86_400_000 * 3).toISOString(),
        creatorAddress: addr(4),
        recipientAddress: addr(1),
        jumpUrl: "https://sudoswap.xyz/#/swap/123",
        asset1Data: [{ address: addr(99), type: "ERC721", id: "42", amount: "1", imgURL: "", name: "Doodle #42", symbol: "DOODLE" }],
        asset2Data: [{ address: addr(0), type: "ETH", amount: "1.5", imgURL: "", name: "Ether", symbol: "ETH" }],
      },
    });
    void card;
    const root = say(g, "user:alice", "What do you think of this one?", now - 3_000_000, {
      item: { contract_address: addr(99), token_id: "7", name: "Doodle #7", description: "A doodle", image_url: "" },
    });
    say(g, "user:bob", "floor is rising", now - 2_900_000, { thread_id: root.id });
    g.readSeq = 1;
    const c = newRoom("room:coll", "collection", "Doodles", [ME_ID, "user:alice"], { slug: "doodles-official", subtitle: "doodles-official", mine: false, creator_id: "user:alice" });
    say(c, "user:alice", "welcome to the doodles room", now - 86_400_000 * 400);
    const big = opts.bigRoom ?? 0;
    if (big > 0) {
      const b = newRoom("room:big", "group", `Big room (${big.toLocaleString()} messages)`, [ME_ID, "user:alice", "user:bob"]);
      const start = now - big * 60_000;
      const who = [ME_ID, "user:alice", "user:bob"];
      for (let i = 0; i < big; i++) {
        const t = i % 7 === 0 ? `Message ${i + 1}: a longer line of text so that heights vary a little across the list and wrapping happens on narrow windows.` : `Message ${i + 1}`;
        say(b, who[(i * 7 + (i >> 2)) % 3], t, start + i * 60_000);
      }
      b.readSeq = b.nextSeq - 1;
    }
    for (const r of rooms.values()) counts(r);
    account = { user_id: ME_ID, address: addr(1), env: LOCAL, profile: me() };
    conn = opts.offline ? { state: "offline", reason: "mock: offline", retry_in_ms: 5000 } : { state: "online", endpoint: LOCAL.mqtt[0] };
  }

  if (opts.seed) seed();
  // A public collection room nobody here has joined: readable as a channel without an account.
  const unjoined = new Set<string>();
  (function publicSeed() {
    if (!users.has("user:alice")) users.set("user:alice", user("user:alice", "alice", addr(2)));
    users.set("user:zed", user("user:zed", "zed", addr(6)));
    const r = newRoom("64b0c0ffee00000000000a9e", "collection", "Mock Apes", ["user:alice", "user:zed"], { slug: "mock-apes", subtitle: "mock-apes", mine: false, creator_id: "user:alice" });
    const now = Date.now();
    const say = (from: string, text: string, at: number) => r.msgs.push(makeMessage(r, from, { text, swap_card: null, reply_to: null, thread_id: null, mentions: [], item: null }, at, true));
    say("user:alice", "welcome, apes: https://opensea.io/collection/mock-apes", now - 600_000);
    say("user:zed", "<b>not bold</b> javascript:alert(1)", now - 300_000);
    unjoined.add(r.view.room_id);
  })();

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
    r.readSeq = Math.max(r.readSeq, sent.seq ?? 0);
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
      return { channel: key, room_id: r.view.room_id, status: status(true, r), messages: r.msgs.slice(-50).map(chatView) };
    },
    channel_close: (a) => {
      for (const [k, c] of openChannels) if (k === a.channel || c.room_id === a.channel) openChannels.delete(k);
      return null;
    },
    channel_history: (a) => channelOf(a.channel).r.msgs.slice(-Math.min(100, Number(a.limit))).map(chatView),
    channel_send: (a) => {
      const { r, anonymous } = channelOf(a.channel);
      if (anonymous) throw { code: "forbidden", message: "not allowed on this channel" };
      if (!String(a.text).trim()) throw { code: "invalid_input", message: "the text is blank" };
      const m = makeMessage(r, ME_ID, { text: a.text, swap_card: null, reply_to: null, thread_id: null, mentions: [], item: null }, Date.now(), true);
      r.msgs.push(m);
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
    app_info: (): AppInfo => ({ version: "0.1.0-mock", default_env: LOCAL, presets: PRESETS, tray: false }),
    resume: () => account,
    sign_in: (a): AccountView => {
      const env = a.env as Environment;
      const key = a.key as KeyInput;
      if (key.kind === "import" && !/^(0x)?[0-9a-fA-F]{64}$/.test(key.private_key.trim())) {
        throw { code: "invalid", message: "a private key is 64 hex digits" };
      }
      if (!users.has(ME_ID)) users.set(ME_ID, user(ME_ID, "", addr(1)));
      account = { user_id: ME_ID, address: addr(1), env, profile: me() };
      conn = { state: "online", endpoint: env.mqtt[0] ?? "" };
      queueMicrotask(() => emit({ type: "connection", state: conn }));
      return account;
    },
    sign_out: () => {
      account = null;
      conn = { state: "signed_out" };
      emit({ type: "connection", state: conn });
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
    rooms: () => sortedRooms(),
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
      const m = makeMessage(r, ME_ID, d, Date.now(), false);
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
      if (Number(a.seq) > r.readSeq) {
        r.readSeq = Number(a.seq);
        roomChanged(r);
      }
      return null;
    },
    set_focus: () => null,
    set_notify_mode: (a) => {
      const r = need(rooms.get(a.room_id), "room");
      r.view = { ...r.view, notify: a.mode as NotifyMode };
      emit({ type: "room_updated", room: r.view });
      return null;
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
    search: (a): SearchHitView[] => {
      const q = String(a.query).trim().toLowerCase();
      if (!q) return [];
      const hits: SearchHitView[] = [];
      for (const r of rooms.values()) {
        for (let i = r.msgs.length - 1; i >= 0 && hits.length < Number(a.limit); i--) {
          const m = r.msgs[i];
          if (m.contents.kind !== "text") continue;
          const t = m.contents.text;
          const at = t.toLowerCase().indexOf(q);
          if (at < 0) continue;
          hits.push({
            message: m,
            room_title: r.view.title,
            snippet: [
              { text: t.slice(Math.max(0, at - 30), at), hit: false },
              { text: t.slice(at, at + q.length), hit: true },
              { text: t.slice(at + q.length, at + q.length + 60), hit: false },
            ],
          });
        }
      }
      return hits;
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
    receive(room_id, from_uid, text, mentions = []) {
      const r = need(rooms.get(room_id), "room");
      const m = makeMessage(r, from_uid, { text, swap_card: null, reply_to: null, thread_id: null, mentions, item: null }, Date.now(), true);
      r.msgs.push(m);
      emit({ type: "messages", messages: [m] });
      roomChanged(r);
      return m;
    },
    goOnline() {
      conn = { state: "online", endpoint: account?.env.mqtt[0] ?? "" };
      emit({ type: "connection", state: conn });
      for (const cid of [...outbox.keys()]) setTimeout(() => ack(cid), Math.max(0, ackDelay));
    },
    goOffline(reason) {
      conn = { state: "offline", reason, retry_in_ms: 5000 };
      emit({ type: "connection", state: conn });
    },
    history: (room_id) => rooms.get(room_id)?.msgs ?? [],
    channelSay(room_id, from_uid, text) {
      const r = collection(room_id);
      const m = makeMessage(r, from_uid, { text, swap_card: null, reply_to: null, thread_id: null, mentions: [], item: null }, Date.now(), true);
      r.msgs.push(m);
      const v = chatView(m);
      channelEmit(r.view.room_id, { kind: "message", message: v });
      if (account) {
        emit({ type: "messages", messages: [m] });
        roomChanged(r);
      }
      return v;
    },
    channelEmit,
  };
}
