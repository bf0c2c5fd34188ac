// One open public channel (PROTOCOL.md §3): its state and what I may do, its
// running or last poll, timeout notices and, for a channel read without a
// room (the public view), its messages. Rust builds every view (parts, names,
// who may moderate); this keeps the latest ones and applies `channel` events.
import { errorText, type Commands } from "./backend";
import type { ChannelMessageView, ChannelStatusView, ChannelView, PollView, UiEvent } from "./bindings";

const OBJECT_ID = /^[0-9a-f]{24}$/;

export class ChannelFeed {
  /** What it was opened with (a room id or a slug): the commands' key. */
  readonly channel: string;
  /** The room id once known (events name it). */
  roomId = $state("");
  status = $state.raw<ChannelStatusView>({
    state: { state: "connecting", endpoint: "" },
    online: false,
    label: "Connecting…",
    can_write: false,
    can_vote: false,
    moderator: false,
  });
  /** Messages (public view only; a room's come from its conversation). */
  messages = $state.raw<ChannelMessageView[]>([]);
  poll = $state.raw<PollView | null>(null);
  /** The answer I voted for in the running poll. */
  voted = $state<number | null>(null);
  /** Recent timeout notices, newest last. */
  notices = $state.raw<string[]>([]);
  error = $state<string | null>(null);
  closed = false;

  constructor(
    private cmds: Commands,
    view: ChannelView,
    /** Keep messages (the public view). */
    readonly keepMessages: boolean,
  ) {
    this.channel = view.channel;
    this.roomId = view.room_id;
    this.status = view.status;
    this.messages = view.messages;
  }

  /** Opens a channel without an account (read only) on the server at `http`. */
  static async openPublic(cmds: Commands, http: string, channel: string): Promise<ChannelFeed> {
    const v = await cmds.channel_open_public(http.trim(), channel.trim());
    return new ChannelFeed(cmds, v, true);
  }

  /** Opens a collection room's channel as me (polls, timeouts, moderation). */
  static async openRoom(cmds: Commands, roomId: string): Promise<ChannelFeed> {
    const v = await cmds.channel_open(roomId);
    return new ChannelFeed(cmds, v, false);
  }

  /** Whether an event's room is this channel's. */
  matches(roomId: string): boolean {
    return roomId === this.roomId || roomId === this.channel;
  }

  /** Applies a `channel` event of this channel; true when it was one. */
  apply(e: UiEvent): boolean {
    if (e.type !== "channel" || this.closed) return false;
    if (!this.matches(e.room_id)) {
      // Opened by slug before any message named the room: the first message names it.
      const u = e.update;
      const unresolved = !OBJECT_ID.test(this.roomId);
      if (!(unresolved && u.kind === "message" && u.message.room_id === e.room_id && OBJECT_ID.test(e.room_id))) return false;
      this.roomId = e.room_id;
    }
    const u = e.update;
    switch (u.kind) {
      case "message":
        if (this.keepMessages && !this.messages.some((m) => m.id === u.message.id)) {
          const list = [...this.messages, u.message];
          if (u.message.seq !== null) list.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
          this.messages = list;
        }
        break;
      case "deleted": {
        const ids = new Set(u.ids);
        this.messages = this.messages.filter((m) => !ids.has(m.id));
        break;
      }
      case "purged":
        this.messages = this.messages.filter((m) => m.user_id !== u.user_id);
        break;
      case "cleared":
        this.messages = [];
        break;
      case "poll": {
        const fresh = !u.poll.ended && (!this.poll || this.poll.ended || this.poll.question !== u.poll.question);
        if (fresh) this.voted = null;
        this.poll = u.poll;
        break;
      }
      case "timeout":
        this.notices = [...this.notices.slice(-2), u.text];
        break;
      case "status":
        this.status = u.status;
        break;
    }
    return true;
  }

  private async act(f: () => Promise<unknown>): Promise<boolean> {
    this.error = null;
    try {
      await f();
      return true;
    } catch (e) {
      this.error = errorText(e);
      return false;
    }
  }

  vote(index: number): Promise<boolean> {
    return this.act(async () => {
      await this.cmds.channel_vote(this.channel, index);
      this.voted = index;
    });
  }

  startPoll(question: string, answers: string[], seconds: number): Promise<boolean> {
    return this.act(async () => {
      this.poll = await this.cmds.channel_vote_start(this.channel, question, answers, seconds);
      this.voted = null;
    });
  }

  deleteMessage(id: string): Promise<boolean> {
    return this.act(() => this.cmds.channel_delete(this.channel, id));
  }

  timeout(user: string, seconds: number): Promise<boolean> {
    return this.act(() => this.cmds.channel_timeout(this.channel, user, seconds));
  }

  purge(user: string): Promise<boolean> {
    return this.act(() => this.cmds.channel_purge(this.channel, user));
  }

  clear(): Promise<boolean> {
    return this.act(() => this.cmds.channel_clear(this.channel));
  }

  send(text: string): Promise<boolean> {
    return this.act(async () => {
      const m = await this.cmds.channel_send(this.channel, text);
      this.apply({ type: "channel", room_id: this.roomId, update: { kind: "message", message: m } });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cmds.channel_close(this.channel).catch(() => {});
  }
}
