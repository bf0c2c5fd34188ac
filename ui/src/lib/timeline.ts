// Turns a room's messages (in Rust's order) into the rows the list renders:
// a day separator before the first message of each local day, and grouping of
// consecutive messages by the same sender (within a few minutes).
import type { MessageView } from "./bindings";

export type Row =
  | { kind: "day"; key: string; label: string }
  | { kind: "msg"; key: string; msg: MessageView; groupStart: boolean; groupEnd: boolean };

/** Consecutive messages by one sender closer than this share a group. */
export const GROUP_GAP_MS = 5 * 60 * 1000;

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

// Rows are rebuilt for every change of a long history: remember each message's day.
const dayOf = new WeakMap<MessageView, string>();
function msgDay(m: MessageView): string {
  let k = dayOf.get(m);
  if (k === undefined) {
    k = dayKey(m.created_ms);
    dayOf.set(m, k);
  }
  return k;
}

// One formatter per style, made on first use: `toLocale*String` with options builds a new
// Intl.DateTimeFormat at every call (a room list of 50 rows, a page of 100 messages).
const formats = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, o);
    formats.set(key, f);
  }
  return f;
}

export function dayLabel(ms: number, now: number = Date.now()): string {
  const k = dayKey(ms);
  if (k === dayKey(now)) return "Today";
  if (k === dayKey(now - 86_400_000)) return "Yesterday";
  const d = new Date(ms);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return sameYear
    ? fmt("day", { weekday: "long", day: "numeric", month: "long" }).format(d)
    : fmt("day-year", { day: "numeric", month: "long", year: "numeric" }).format(d);
}

function groupable(a: MessageView, b: MessageView): boolean {
  return (
    a.from_uid === b.from_uid &&
    b.created_ms - a.created_ms < GROUP_GAP_MS &&
    msgDay(a) === msgDay(b) &&
    b.contents.kind === "text" &&
    a.contents.kind === "text" &&
    !b.reply &&
    !b.is_thread &&
    !a.is_thread
  );
}

/** Rows for messages in order; `now` only affects labels. */
export function buildRows(msgs: readonly MessageView[], now: number = Date.now()): Row[] {
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  let prev: MessageView | null = null;
  let prevRow: Extract<Row, { kind: "msg" }> | null = null;
  for (const m of msgs) {
    const dk = msgDay(m);
    if (!prev || msgDay(prev) !== dk) {
      // Keyed by the day, so the key survives older pages arriving (a day can recur if clocks disagree).
      const n = seen.get(dk) ?? 0;
      seen.set(dk, n + 1);
      rows.push({ kind: "day", key: n ? `day:${dk}:${n}` : `day:${dk}`, label: dayLabel(m.created_ms, now) });
    }
    const joined = prev !== null && groupable(prev, m);
    if (prevRow && joined) prevRow.groupEnd = false;
    const row: Extract<Row, { kind: "msg" }> = { kind: "msg", key: m.key, msg: m, groupStart: !joined, groupEnd: true };
    rows.push(row);
    prev = m;
    prevRow = row;
  }
  return rows;
}

export function timeLabel(ms: number): string {
  return fmt("time", { hour: "2-digit", minute: "2-digit" }).format(ms);
}

/** A short time for the room list: the time today, else the date. */
export function shortWhen(ms: number, now: number = Date.now()): string {
  if (!ms) return "";
  if (dayKey(ms) === dayKey(now)) return timeLabel(ms);
  const d = new Date(ms);
  if (now - ms < 6 * 86_400_000) return fmt("weekday", { weekday: "short" }).format(d);
  return fmt("short", { day: "numeric", month: "short" }).format(d);
}
