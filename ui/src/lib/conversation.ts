// One open room's loaded messages, in Rust's order: sent messages by seq, then
// my unsent ones. Pages come from Rust (older as the user scrolls up, newer
// after a jump into the past); events are merged in by key. The UI never
// reorders by anything but the seq Rust gives.
import type { Commands } from "./backend";
import type { MessageView, UiEvent } from "./bindings";

export const PAGE = 100;
/** At most this many sent messages stay loaded: scrolling on drops the far end's pages
 * (memory stays flat in a 100,000-message room), which load again on the way back. */
export const MAX_LOADED = 5 * PAGE;

function bySeq(a: number, list: readonly MessageView[], sentCount: number): number {
  // First index among the sent prefix whose seq is greater than a.
  let lo = 0;
  let hi = sentCount;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid].seq as number) <= a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Conversation {
  readonly roomId: string;
  /** The loaded messages (a new array after every change). */
  msgs: MessageView[] = [];
  /** More history exists before the first loaded message. */
  hasOlder = true;
  /** Newer messages exist after the last loaded one (after a jump into the past). */
  hasNewer = false;
  loadingOlder = false;
  loadingNewer = false;
  /** Bumped on every change. */
  version = 0;
  /** A page has come (before it, events may have added a few messages to an empty list). */
  loaded = false;
  private onChange: () => void;

  constructor(
    private cmds: Commands,
    roomId: string,
    onChange: () => void = () => {},
  ) {
    this.roomId = roomId;
    this.onChange = onChange;
  }

  private set(list: MessageView[]): void {
    this.msgs = list;
    this.version++;
    this.onChange();
  }

  private sentCount(list: readonly MessageView[] = this.msgs): number {
    let n = list.length;
    while (n > 0 && list[n - 1].seq === null) n--;
    return n;
  }

  firstSeq(): number | null {
    for (const m of this.msgs) if (m.seq !== null) return m.seq;
    return null;
  }

  lastSeq(): number | null {
    const n = this.sentCount();
    return n > 0 ? this.msgs[n - 1].seq : null;
  }

  async loadLatest(): Promise<void> {
    const page = await this.cmds.messages(this.roomId, { kind: "latest" }, PAGE);
    const sent = page.filter((m) => m.seq !== null).length;
    this.hasOlder = sent >= PAGE;
    this.hasNewer = false;
    this.settle(page);
  }

  /** Takes a freshly loaded page, keeping the messages events brought while it loaded that the
   * page does not have (they may be newer than its answer; the page's own copies win). */
  private settle(page: MessageView[]): void {
    const have = new Set<string>();
    for (const m of page) {
      have.add(m.key);
      if (m.id !== null) have.add(m.id);
    }
    const during = this.msgs.filter((m) => !have.has(m.key) && (m.id === null || !have.has(m.id)));
    this.loaded = true;
    this.set(page);
    if (during.length) this.upsert(during);
  }

  async loadAround(messageId: string): Promise<number> {
    const page = await this.cmds.messages_around(this.roomId, messageId, PAGE);
    const at = page.findIndex((m) => m.id === messageId);
    const before = at < 0 ? 0 : at;
    const after = at < 0 ? 0 : page.length - at - 1;
    this.hasOlder = before >= PAGE;
    this.hasNewer = after >= PAGE;
    if (!this.hasNewer) {
      // The page reaches the present: add my unsent messages from the latest page.
      const latest = await this.cmds.messages(this.roomId, { kind: "latest" }, 1);
      page.push(...latest.filter((m) => m.seq === null));
    }
    this.settle(page);
    return at;
  }

  /** Loads the page before the first loaded message; resolves to how many were added. */
  async loadOlder(): Promise<number> {
    const first = this.firstSeq();
    if (!this.hasOlder || this.loadingOlder || first === null) {
      if (first === null) this.hasOlder = false;
      return 0;
    }
    this.loadingOlder = true;
    try {
      const page = await this.cmds.messages(this.roomId, { kind: "before", seq: first }, PAGE);
      if (page.length < PAGE) this.hasOlder = false;
      const have = new Set(this.msgs.map((m) => m.key));
      const fresh = page.filter((m) => !have.has(m.key) && m.seq !== null && m.seq < first);
      if (fresh.length) {
        let list = [...fresh, ...this.msgs];
        if (this.sentCount(list) > MAX_LOADED) {
          // The newest pages (and my unsent ones after them) leave; loadNewer brings them back.
          list = list.slice(0, MAX_LOADED);
          this.hasNewer = true;
        }
        this.set(list);
      }
      return fresh.length;
    } finally {
      this.loadingOlder = false;
    }
  }

  async loadNewer(): Promise<number> {
    const last = this.lastSeq();
    if (!this.hasNewer || this.loadingNewer || last === null) return 0;
    this.loadingNewer = true;
    try {
      const page = await this.cmds.messages(this.roomId, { kind: "after", seq: last }, PAGE);
      const have = new Set(this.msgs.map((m) => m.key));
      const fresh = page.filter((m) => !have.has(m.key));
      if (page.length < PAGE) {
        this.hasNewer = false;
        const latest = await this.cmds.messages(this.roomId, { kind: "latest" }, 1);
        fresh.push(...latest.filter((m) => m.seq === null && !have.has(m.key)));
      }
      const n = this.sentCount();
      if (fresh.length) {
        let list = [...this.msgs.slice(0, n), ...fresh, ...this.msgs.slice(n)];
        const over = this.sentCount(list) - MAX_LOADED;
        if (over > 0) {
          // The oldest pages leave; loadOlder brings them back.
          list = list.slice(over);
          this.hasOlder = true;
        }
        this.set(list);
      }
      return fresh.length;
    } finally {
      this.loadingNewer = false;
    }
  }

  /** Merges messages (new, updated, or with a new status) by key. */
  upsert(incoming: readonly MessageView[]): boolean {
    let list = this.msgs;
    let changed = false;
    for (const m of incoming) {
      if (m.room_id !== this.roomId) continue;
      let i = list.findLastIndex((x) => x.key === m.key || (m.id !== null && x.id === m.id));
      if (i >= 0) {
        const old = list[i];
        if (old === m) continue;
        if (!changed) list = [...list];
        changed = true;
        if (old.seq === m.seq) {
          list[i] = m;
          continue;
        }
        list.splice(i, 1);
      }
      if (m.seq === null) {
        if (this.hasNewer) continue;
        if (!changed) list = [...list];
        changed = true;
        list.push(m);
        continue;
      }
      const n = this.sentCount(list);
      const first = n > 0 ? (list[0].seq as number) : null;
      const last = n > 0 ? (list[n - 1].seq as number) : null;
      if (this.hasNewer && last !== null && m.seq > last) continue;
      if (this.hasOlder && first !== null && m.seq < first && i < 0) continue;
      if (!changed) list = [...list];
      changed = true;
      list.splice(bySeq(m.seq, list, n), 0, m);
    }
    if (changed) this.set(list);
    return changed;
  }

  /**
   * Adds what send() returned (pending), unless an event about the same
   * message already arrived: events may overtake the command's answer.
   */
  addSent(m: MessageView): boolean {
    if (this.msgs.some((x) => x.key === m.key)) return false;
    return this.upsert([m]);
  }

  remove(pred: (m: MessageView) => boolean): boolean {
    const list = this.msgs.filter((m) => !pred(m));
    if (list.length === this.msgs.length) return false;
    this.set(list);
    return true;
  }

  /** Applies an event that concerns this room; true when the list changed. */
  apply(e: UiEvent): boolean {
    switch (e.type) {
      case "messages":
        return this.upsert(e.messages);
      case "send_status":
        return this.upsert([e.message]);
      case "outbox_discarded":
        if (e.room_id !== this.roomId) return false;
        return this.remove((m) => m.client_msg_id === e.client_msg_id || m.key === e.client_msg_id);
      case "messages_deleted": {
        if (e.room_id !== this.roomId) return false;
        const ids = new Set(e.ids);
        return this.remove((m) => m.id !== null && ids.has(m.id));
      }
      case "room_cleared":
        if (e.room_id !== this.roomId) return false;
        this.hasOlder = false;
        this.set(this.msgs.filter((m) => m.seq === null));
        return true;
      default:
        return false;
    }
  }
}
