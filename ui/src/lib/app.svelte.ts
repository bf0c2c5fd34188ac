// The UI's state: what Rust said last (rooms, counts, connection, account,
// settings) and what the user looks at (open room, panels). Rust owns every
// count and the order; this only keeps its latest answers and events.
import { defaultSettings } from "./settings";
import { tick } from "svelte";
import { errorText, type Backend, type Commands } from "./backend";
import type {
  AccountTab,
  AccountView,
  Boot,
  AppInfo,
  BackupState,
  ConnectionState,
  MessageView,
  RoomView,
  SeenView,
  Settings,
  UiEvent,
  UnreadTotal,
  UserView,
  ZoomStep,
} from "./bindings";
import { ChannelFeed } from "./channel.svelte";
import { Conversation } from "./conversation";
import { drafts } from "./drafts";
import { setRemoteImages } from "./privacy.svelte";
import { isHttpUrl } from "./urls";

export type Phase = "loading" | "onboarding" | "nickname" | "main";
export type SidePanel = { kind: "none" } | { kind: "info" } | { kind: "threads" } | { kind: "thread"; room_id: string; thread_id: string };

/** Rooms in Rust's order: most recent activity first (stable for ties). */
export function sortRooms(rooms: RoomView[]): RoomView[] {
  return rooms
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.last_activity_ms - a.r.last_activity_ms || a.i - b.i)
    .map((x) => x.r);
}

export class AppState {
  readonly cmds: Commands;
  phase = $state<Phase>("loading");
  info = $state.raw<AppInfo | null>(null);
  account = $state.raw<AccountView | null>(null);
  rooms = $state.raw<RoomView[]>([]);
  roomId = $state<string | null>(null);
  connection = $state.raw<ConnectionState>({ state: "signed_out" });
  total = $state.raw<UnreadTotal>({ unread: 0, mentions: 0 });
  /** The accounts side by side (Rust's switcher: order, counts, which is on screen). */
  accounts = $state.raw<AccountTab[]>([]);
  /** Bumped when the open room's composer should take focus (a room was switched to). */
  composerFocus = $state(0);
  settings = $state.raw<Settings>(defaultSettings());
  /** The open room's messages; `convVersion` changes with them. */
  conv = $state.raw<Conversation | null>(null);
  convVersion = $state(0);
  /** A message to scroll to and flash (by id), with a token so the same target can be asked again. */
  jump = $state.raw<{ id: string; token: number; flash?: boolean } | null>(null);
  /** Where the open room's unread messages began when it opened (the "new messages" divider);
   * it stays while the room is open, as messengers do. */
  unreadFrom = $state.raw<{ roomId: string; id: string } | null>(null);
  /** Who types, per room (names, from Rust's typing events). */
  typing = $state.raw<Record<string, string[]>>({});
  /** Who has read my latest message in the open room (Rust's receipts). */
  seen = $state.raw<SeenView | null>(null);
  side = $state.raw<SidePanel>({ kind: "none" });
  settingsOpen = $state(false);
  /** The sidebar's "open a public channel" field is shown. */
  channelPickerOpen = $state(false);
  /** The backup dialog (Settings, the reminder, the sign-out guard). */
  backupOpen = $state(false);
  /** Files last dropped on the window (paths, from Rust), with a counter so the same drop twice counts. */
  dropped = $state.raw<{ paths: string[]; n: number } | null>(null);
  /** The key is in the encrypted file, which waits for its passphrase. */
  secretsLocked = $state(false);
  newRoomOpen = $state(false);
  error = $state<string | null>(null);
  /** A short confirmation ("Address copied"), cleared after a moment. */
  notice = $state<string | null>(null);
  /** The desktop's colour-scheme preference as Rust reads it (the XDG portal); null: unknown,
   * then the WebView's prefers-color-scheme decides. */
  portalDark = $state<boolean | null>(null);
  /** The open collection room's channel (polls, timeouts, moderation). */
  channel = $state.raw<ChannelFeed | null>(null);
  /** A public channel read on its own (without an account, or from the sidebar). */
  publicChannel = $state.raw<ChannelFeed | null>(null);
  focused = $state(typeof document === "undefined" ? true : document.hasFocus());
  private extra = new Set<(e: UiEvent) => void>();
  private marked = new Map<string, number>();
  private unlisten: (() => void) | null = null;
  private jumpToken = 0;
  /** How many times another account came on screen. */
  private switches = 0;

  constructor(readonly backend: Backend) {
    this.cmds = backend.commands;
  }

  get room(): RoomView | null {
    return this.rooms.find((r) => r.room_id === this.roomId) ?? null;
  }

  /** Starts: listens to events, then one `boot` call (the last account, resumed from its cache
   * before the page ran, with its rooms) shows the first screen. `bundleMs`: when the bundle ran. */
  async start(bundleMs = 0): Promise<void> {
    this.unlisten = await this.backend.listen((e) => this.handle(e));
    try {
      const b = await this.cmds.boot(performance.now());
      const bootMs = performance.now();
      this.applyBoot(b);
      this.markPainted(bundleMs, bootMs);
    } catch (e) {
      this.error = errorText(e);
      this.phase = "onboarding";
    }
  }

  private applyBoot(b: Boot): void {
    this.info = b.info;
    this.settings = b.settings;
    this.secretsLocked = b.secrets_locked;
    this.accounts = b.accounts;
    setRemoteImages(this.settings.remote_images);
    if (b.account) {
      this.account = b.account;
      this.rooms = b.rooms;
      this.total = b.total;
      // A connection event may have come first; keep the newer one.
      if (this.connection.state === "signed_out") this.connection = b.connection;
      this.phase = "main";
      this.cmds.set_focus(this.roomId, this.focused).catch(() => {});
      void this.loadDrafts();
    } else this.phase = "onboarding";
  }

  /** The account's saved drafts (Rust keeps them across restarts). */
  private async loadDrafts(): Promise<void> {
    const sw = this.switches;
    try {
      const saved = await this.cmds.drafts();
      if (sw === this.switches) drafts.load(saved, (d) => this.cmds.save_draft(d));
    } catch {
      // Drafts then live in memory only, until the next start.
    }
  }

  /** Forgets everything shown of the account on screen (signed out, or another one comes). */
  private clearAccount(): void {
    drafts.reset();
    this.closeRoomChannel();
    void this.closePublicChannel();
    this.backupOpen = false;
    this.newRoomOpen = false;
    this.account = null;
    this.rooms = [];
    this.roomId = null;
    this.conv = null;
    this.side = { kind: "none" };
    this.settingsOpen = false;
    this.marked.clear();
    this.jump = null;
    this.unreadFrom = null;
    this.typing = {};
    this.seen = null;
    this.total = { unread: 0, mentions: 0 };
    this.connection = { state: "signed_out" };
  }

  /** Another account is on screen (Rust said so): show it from a fresh `boot`, then open the
   * room a notification's click asked for. */
  async accountSwitched(roomId: string | null, messageId: string | null): Promise<void> {
    const sw = ++this.switches;
    this.clearAccount();
    this.phase = "loading";
    try {
      const b = await this.cmds.boot(performance.now());
      // Another switch came meanwhile: its own boot shows what is on screen.
      if (sw !== this.switches) return;
      this.applyBoot(b);
      if (roomId && this.account) await this.openRoom(roomId, messageId);
    } catch (e) {
      this.error = errorText(e);
      this.phase = "onboarding";
    }
  }

  /** Puts another account on screen (the switcher, Ctrl+1…9). */
  async switchAccount(slot: number): Promise<void> {
    if (this.accounts.find((a) => a.active)?.slot === slot) return;
    try {
      await this.cmds.switch_account(slot);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Signs in another account beside this one: its first-run screen comes on screen. */
  async addAccount(): Promise<void> {
    try {
      await this.cmds.add_account();
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Leaves the sign-in of an added account for the account on screen before. */
  async cancelAddAccount(): Promise<void> {
    try {
      await this.cmds.cancel_add_account();
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Other accounts are signed in beside the one on screen (the first-run screen can go back). */
  get othersSignedIn(): boolean {
    return this.accounts.some((a) => a.signed_in && !a.active);
  }

  /** Two frames later the first screen is on screen: the startup benchmark's end mark. */
  private markPainted(bundleMs: number, bootMs: number): void {
    if (typeof requestAnimationFrame === "undefined") return;
    void tick().then(() => {
      const renderedMs = performance.now();
      requestAnimationFrame(() => {
        const frameMs = performance.now();
        requestAnimationFrame(() =>
          this.cmds
            .first_paint({ bundle_ms: bundleMs, boot_ms: bootMs, rendered_ms: renderedMs, frame_ms: frameMs, painted_ms: performance.now() })
            .catch(() => {}),
        );
      });
    });
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
  }

  /** Signed in (or resumed): load rooms, connection and totals. */
  async enter(acc: AccountView, askNickname = false): Promise<void> {
    this.account = acc;
    const [rooms, conn, total] = await Promise.all([
      this.cmds.rooms(),
      this.cmds.connection(),
      this.cmds.unread_total(),
    ]);
    this.rooms = rooms;
    this.connection = conn;
    this.total = total;
    this.phase = askNickname ? "nickname" : "main";
    void this.loadDrafts();
    this.cmds.set_focus(this.roomId, this.focused).catch(() => {});
  }

  /** Moves focus to the open room's composer (the skip link, Ctrl+L); false when no room is open. */
  focusComposer(): boolean {
    if (!this.roomId || !this.conv || this.publicChannel) return false;
    this.composerFocus++;
    return true;
  }

  /** Events were lost on the way: reload what is shown from Rust. */
  async resync(): Promise<void> {
    if (!this.account) return;
    const [rooms, conn, total] = await Promise.all([
      this.cmds.rooms(),
      this.cmds.connection(),
      this.cmds.unread_total(),
    ]);
    this.rooms = rooms;
    this.connection = conn;
    this.total = total;
    await this.conv?.loadLatest().catch((e) => (this.error = errorText(e)));
  }

  /** My profile changed (Rust's answer): the account and its rooms show it. */
  profileChanged(u: UserView): void {
    if (this.account) this.account = { ...this.account, profile: u };
  }

  /** Opens my 1v1 room with someone (Rust finds it, or creates it). */
  async messageUser(userId: string): Promise<void> {
    const r = await this.cmds.open_direct(userId);
    this.handle({ type: "room_updated", room: r });
    this.side = { kind: "none" };
    await this.openRoom(r.room_id);
  }

  /** The account's backup state changed (Rust's answer to a backup). */
  backupChanged(st: BackupState): void {
    if (this.account) this.account = { ...this.account, backed_up: st.backed_up, has_phrase: st.has_phrase };
  }

  /** Signs out; `confirmation` is what the user typed for an account never backed up. */
  async signOut(confirmation: string | null = null): Promise<void> {
    const switches = this.switches;
    await this.cmds.sign_out(confirmation);
    // With other accounts signed in, Rust puts one on screen (`account_switched`), maybe
    // before this answer came: then that one is shown already.
    if (this.switches !== switches) return;
    this.clearAccount();
    this.phase = "onboarding";
  }

  /** Listens to events alongside the app (a thread panel); returns the unsubscribe. */
  onEvent(h: (e: UiEvent) => void): () => void {
    this.extra.add(h);
    return () => this.extra.delete(h);
  }

  handle(e: UiEvent): void {
    switch (e.type) {
      case "room_updated": {
        const i = this.rooms.findIndex((r) => r.room_id === e.room.room_id);
        const list = [...this.rooms];
        if (i >= 0) list[i] = e.room;
        else list.push(e.room);
        this.rooms = sortRooms(list);
        break;
      }
      case "room_removed":
        this.rooms = this.rooms.filter((r) => r.room_id !== e.room_id);
        if (this.roomId === e.room_id) this.closeRoom();
        break;
      case "connection":
        this.connection = e.state;
        break;
      case "unread_total":
        this.total = e.total;
        break;
      case "open_room":
        void this.openRoom(e.room_id, e.message_id);
        break;
      case "resync":
        void this.resync();
        break;
      case "system_theme":
        this.portalDark = e.dark;
        break;
      case "accounts":
        this.accounts = e.accounts;
        break;
      case "account_switched":
        void this.accountSwitched(e.room_id, e.message_id);
        break;
      case "files_dropped":
        this.dropped = { paths: e.paths, n: (this.dropped?.n ?? 0) + 1 };
        break;
      case "typing": {
        const t = { ...this.typing };
        if (e.names.length) t[e.room_id] = e.names;
        else delete t[e.room_id];
        this.typing = t;
        break;
      }
      case "seen":
        if (e.room_id === this.roomId) this.seen = e.seen;
        break;
      case "channel":
        this.channel?.apply(e);
        this.publicChannel?.apply(e);
        break;
      default:
        this.conv?.apply(e);
    }
    for (const h of this.extra) h(e);
  }

  private bump = () => {
    this.convVersion++;
  };

  closeRoom(): void {
    this.closeRoomChannel();
    this.roomId = null;
    this.conv = null;
    this.jump = null;
    this.unreadFrom = null;
    this.side = { kind: "none" };
    this.cmds.set_focus(null, this.focused).catch(() => {});
  }

  /** Opens a room at its latest messages, or around one message. Focus goes to its composer,
   * unless `keepFocus` (arrow keys in the room list keep it there). */
  async openRoom(roomId: string, messageId: string | null = null, keepFocus = false): Promise<void> {
    this.error = null;
    if (this.roomId !== roomId || !this.conv) {
      this.roomId = roomId;
      if (!keepFocus) this.composerFocus++;
      if (this.side.kind === "thread") this.side = { kind: "none" };
      this.jump = null;
      const conv = new Conversation(this.cmds, roomId, this.bump);
      this.conv = conv;
      this.cmds.set_focus(roomId, this.focused).catch(() => {});
      if (this.publicChannel) void this.closePublicChannel();
      if (!this.rooms.some((r) => r.room_id === roomId)) {
        const sw = this.switches;
        const r = await this.cmds.room(roomId).catch(() => null);
        // (Not into another account's list.)
        if (r && sw === this.switches) this.handle({ type: "room_updated", room: r });
      }
      void this.openRoomChannel(roomId);
      this.unreadFrom = null;
      this.seen = null;
      const sw = this.switches;
      this.cmds
        .seen(roomId)
        .then((s) => {
          if (this.roomId === roomId && sw === this.switches) this.seen = s;
        })
        .catch(() => {});
      if (!messageId) {
        // With unread messages, the room opens at the first of them, under the divider.
        const unread = (this.rooms.find((r) => r.room_id === roomId)?.unread ?? 0) > 0;
        const first = unread ? await this.cmds.first_unread(roomId).catch(() => null) : null;
        if (this.conv !== conv) return;
        if (first) {
          // The jump is asked before the page comes, so the list never marks the bottom read
          // on the way (it waits for a pending jump).
          this.unreadFrom = { roomId, id: first };
          this.jump = { id: first, token: ++this.jumpToken, flash: false };
          try {
            await conv.loadAround(first);
            return;
          } catch {
            this.unreadFrom = null;
            this.jump = null;
          }
        }
        await conv.loadLatest().catch((e) => (this.error = errorText(e)));
        return;
      }
    }
    if (messageId) await this.jumpTo(messageId);
  }

  /** Shows a message of the open room in its context and flashes it. */
  async jumpTo(messageId: string): Promise<void> {
    const conv = this.conv;
    if (!conv) return;
    if (!conv.msgs.some((m) => m.id === messageId)) {
      try {
        await conv.loadAround(messageId);
      } catch (e) {
        this.error = errorText(e);
        if (conv.msgs.length === 0) await conv.loadLatest().catch(() => {});
        return;
      }
    }
    // A thread reply lives in its thread: open the thread, and show its root in the room.
    const m = conv.msgs.find((x) => x.id === messageId);
    if (m?.thread_id && !m.is_thread && m.thread_id !== m.id) {
      this.side = { kind: "thread", room_id: m.room_id, thread_id: m.thread_id };
      messageId = m.thread_id;
      if (!conv.msgs.some((x) => x.id === messageId)) await conv.loadAround(messageId).catch(() => {});
    }
    if (this.conv !== conv) return;
    this.jump = { id: messageId, token: ++this.jumpToken };
  }

  /** Scrolls to where the open room's unread messages began. */
  async jumpToUnread(): Promise<void> {
    if (this.unreadFrom && this.unreadFrom.roomId === this.roomId) await this.jumpTo(this.unreadFrom.id);
  }

  /** The user types in the open room's composer (Rust throttles and honours the setting). */
  userTyping(): void {
    if (this.roomId) this.cmds.typing(this.roomId).catch(() => {});
  }

  /** Back to the present after a jump into the past. */
  async toLatest(): Promise<void> {
    if (this.conv?.hasNewer) await this.conv.loadLatest();
  }

  /** Marks the open room read up to `seq` once (Rust recomputes the counts). */
  markRead(seq: number): void {
    const roomId = this.roomId;
    if (!roomId || !this.focused) return;
    const room = this.room;
    if ((this.marked.get(roomId) ?? -1) >= seq) return;
    if (room && room.unread === 0 && room.mentions === 0 && this.marked.has(roomId)) return;
    this.marked.set(roomId, seq);
    this.cmds.mark_read(roomId, seq).catch(() => this.marked.delete(roomId));
  }

  setFocused(f: boolean): void {
    if (this.focused === f) return;
    this.focused = f;
    // Leaving the window: what was just typed is saved now, not in a moment.
    if (!f) drafts.flush();
    this.cmds.set_focus(this.roomId, f).catch(() => {});
    // The desktop's dark style may have changed while the window was away.
    if (f) void this.refreshSystemTheme();
  }

  /** Asks Rust for the desktop's colour-scheme preference. */
  async refreshSystemTheme(): Promise<void> {
    try {
      this.portalDark = await this.cmds.system_dark();
    } catch {
      this.portalDark = null;
    }
  }

  /** Whether the page shows dark, given the setting and what the system prefers. */
  isDark(mediaDark: boolean): boolean {
    const t = this.settings.theme;
    return t === "dark" || (t === "system" && (this.portalDark ?? mediaDark));
  }

  /** Ctrl +/−/0: Rust steps and remembers the zoom. */
  async zoom(step: ZoomStep): Promise<void> {
    try {
      this.settings = await this.cmds.zoom(step);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  /** Puts the end of the log file on the clipboard (Rust reads it) and says so. */
  async copyDebugLog(): Promise<void> {
    try {
      const n = await this.cmds.copy_debug_log();
      this.notice = `Debug log copied (${Math.max(1, Math.round(n / 1024))} KB)`;
      clearTimeout(this.noticeTimer);
      this.noticeTimer = setTimeout(() => (this.notice = null), 2500);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Copies text to the clipboard (through Rust's clipboard plugin) and says so. */
  async copy(text: string, what: string): Promise<void> {
    try {
      await this.cmds.copy_text(text);
      this.notice = `${what} copied`;
      clearTimeout(this.noticeTimer);
      this.noticeTimer = setTimeout(() => (this.notice = null), 2000);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  async saveSettings(s: Settings): Promise<void> {
    this.settings = s;
    setRemoteImages(s.remote_images);
    try {
      this.settings = await this.cmds.set_settings(s);
      setRemoteImages(this.settings.remote_images);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Opens an http(s) link in the system browser; anything else is ignored. */
  openLink(url: string): void {
    if (!isHttpUrl(url)) return;
    this.cmds.open_external(url).catch((e) => (this.error = errorText(e)));
  }

  /** Opens a thread in the side panel (making the message a thread root first if needed). */
  async openThread(m: MessageView): Promise<void> {
    if (m.thread_id && !m.is_thread) {
      this.side = { kind: "thread", room_id: m.room_id, thread_id: m.thread_id };
      return;
    }
    if (!m.id) return;
    if (!m.is_thread) {
      try {
        const root = await this.cmds.start_thread(m.room_id, m.id, null);
        this.conv?.upsert([root]);
      } catch (e) {
        this.error = errorText(e);
        return;
      }
    }
    this.side = { kind: "thread", room_id: m.room_id, thread_id: m.id };
  }

  /** Opens the channel of the open room when it is a collection room (closing the previous one). */
  private async openRoomChannel(roomId: string): Promise<void> {
    this.closeRoomChannel();
    if (this.room?.kind !== "collection") return;
    try {
      const feed = await ChannelFeed.openRoom(this.cmds, roomId);
      if (this.roomId === roomId && !this.channel) this.channel = feed;
      else void feed.close();
    } catch (e) {
      this.error = `The room's live channel: ${errorText(e)}`;
    }
  }

  private closeRoomChannel(): void {
    const c = this.channel;
    this.channel = null;
    if (c) void c.close();
  }

  /** Whether I may moderate the open collection room: its creator, as the channel says. */
  get canModerate(): boolean {
    return !!this.channel?.status.moderator;
  }

  /** Opens a public channel by room id or slug, on my environment or the one given (read only). */
  async openPublicChannel(channel: string, http: string = this.account?.env.http ?? ""): Promise<void> {
    this.error = null;
    const feed = await ChannelFeed.openPublic(this.cmds, http, channel);
    await this.closePublicChannel();
    this.publicChannel = feed;
    if (this.phase === "main" && this.roomId) {
      this.closeRoomChannel();
      this.roomId = null;
      this.conv = null;
      this.side = { kind: "none" };
    }
  }

  async closePublicChannel(): Promise<void> {
    const c = this.publicChannel;
    this.publicChannel = null;
    if (c) await c.close();
  }

  /** Signed in: joins the public channel's room to write (the channel makes me a member), then opens it. */
  async joinPublicChannel(): Promise<void> {
    const c = this.publicChannel;
    if (!c || !this.account) return;
    const roomId = c.roomId;
    try {
      await this.closePublicChannel();
      await this.cmds.channel_open(roomId);
      await this.openRoom(roomId);
    } catch (e) {
      this.error = errorText(e);
    }
  }
}
