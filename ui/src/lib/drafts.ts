// Per-room drafts: what was typed, who it mentions and what it replies to. Kept here while the
// app runs, and saved to the account's cache in Rust (`save_draft`, a moment after typing stops)
// so that they survive a restart; `load` takes the saved ones at sign-in.
import type { SavedDraft } from "./bindings";

export interface RoomDraft {
  text: string;
  mentions: string[];
  reply_to: string | null;
  /** The quoted message's sender and preview, to show above the composer. */
  reply_label: string;
}

export function emptyDraft(): RoomDraft {
  return { text: "", mentions: [], reply_to: null, reply_label: "" };
}

/** How long after the last keystroke a draft is saved. */
export const SAVE_DELAY_MS = 400;

export class Drafts {
  private m = new Map<string, RoomDraft>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private saver: ((d: SavedDraft) => Promise<unknown>) | null = null;

  /** The account's saved drafts (Rust's), and where changes go from now on. */
  load(saved: SavedDraft[], saver: (d: SavedDraft) => Promise<unknown>): void {
    // What was typed since the page started wins over what was saved before, and is saved now.
    const typed = [...this.m.keys()];
    for (const d of saved) {
      if (!this.m.has(d.key)) this.m.set(d.key, { text: d.text, mentions: [...d.mentions], reply_to: d.reply_to, reply_label: d.reply_label });
    }
    this.saver = saver;
    for (const key of typed) this.schedule(key);
  }

  /** Another account (or none): forgets the drafts shown, after saving what waits. */
  reset(): void {
    this.flush();
    this.m.clear();
    this.saver = null;
  }

  get(key: string): RoomDraft {
    const d = this.m.get(key);
    return d ? { ...d, mentions: [...d.mentions] } : emptyDraft();
  }

  set(key: string, d: RoomDraft): void {
    if (!d.text && !d.reply_to && d.mentions.length === 0) this.m.delete(key);
    else this.m.set(key, { ...d, mentions: [...d.mentions] });
    this.schedule(key);
  }

  clear(key: string): void {
    this.m.delete(key);
    this.schedule(key, 0);
  }

  has(key: string): boolean {
    return this.m.has(key);
  }

  /** Saves every draft that waits for its delay, now. */
  flush(): void {
    for (const [key, t] of [...this.timers]) {
      clearTimeout(t);
      this.save(key);
    }
  }

  private schedule(key: string, delay = SAVE_DELAY_MS): void {
    if (!this.saver) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.save(key), delay));
  }

  private save(key: string): void {
    this.timers.delete(key);
    const d = this.m.get(key) ?? emptyDraft();
    void this.saver?.({ key, ...d }).catch(() => {});
  }
}

/** The one draft store of the app (keys: a room id, or `room_id#thread_id` for a thread's composer). */
export const drafts = new Drafts();
