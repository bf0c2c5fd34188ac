// Per-room drafts, in memory: what was typed, who it mentions and what it replies to.
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

export class Drafts {
  private m = new Map<string, RoomDraft>();

  get(key: string): RoomDraft {
    const d = this.m.get(key);
    return d ? { ...d, mentions: [...d.mentions] } : emptyDraft();
  }

  set(key: string, d: RoomDraft): void {
    if (!d.text && !d.reply_to && d.mentions.length === 0) this.m.delete(key);
    else this.m.set(key, { ...d, mentions: [...d.mentions] });
  }

  clear(key: string): void {
    this.m.delete(key);
  }

  has(key: string): boolean {
    return this.m.has(key);
  }
}

/** The one draft store of the app (keys: a room id, or `room_id#thread_id` for a thread's composer). */
export const drafts = new Drafts();
