// Turns a room's messages (in Rust's order) into the rows the list renders:
// a day separator before the first message of each local day, and grouping of
// consecutive messages by the same sender (within a few minutes). A public
// channel's messages go through the same `buildRowsOf`. The date and time
// labels share cached Intl formatters.
import type { MessageView } from "./bindings";

/** A row of a list: a day separator, or an item (a message) with its place in a sender's group. */
export type RowOf<T> =
  | { kind: "day"; key: string; label: string }
  | { kind: "msg"; key: string; msg: T; groupStart: boolean; groupEnd: boolean };
/** A room's rows also have the "new messages" divider above the first unread message. */
export type Row = RowOf<MessageView> | { kind: "new"; key: "new" };

/** Consecutive messages by one sender closer than this share a group. */
export const GROUP_GAP_MS = 5 * 60 * 1000;

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

// Rows are rebuilt for every change of a long history: remember each message's day.
const dayOf = new WeakMap<object, string>();
function itemDay(m: object, ms: number): string {
  let k = dayOf.get(m);
  if (k === undefined) {
    k = dayKey(ms);
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

/** How a list's items are told apart and grouped (rooms' messages, a public channel's). */
export interface RowSpec<T extends object> {
  key(m: T): string;
  sender(m: T): string;
  /** Unix ms; 0 or less: unknown (no day separator, grouped only with other unknown times). */
  time(m: T): number;
  /** Whether `b` may join `a`'s group besides sender, time and day (e.g. both plain text). */
  joinable?(a: T, b: T): boolean;
}

/** Rows for items in order: a day separator before the first item of each local day, and
 * consecutive items of one sender within GROUP_GAP_MS of each other grouped. `now` only affects labels. */
export function buildRowsOf<T extends object>(items: readonly T[], spec: RowSpec<T>, now: number = Date.now()): RowOf<T>[] {
  const rows: RowOf<T>[] = [];
  const seen = new Map<string, number>();
  let prev: T | null = null;
  let prevRow: Extract<RowOf<T>, { kind: "msg" }> | null = null;
  // The day shown last (items of unknown time stay in it).
  let day: string | null = null;
  for (const m of items) {
    const t = spec.time(m);
    const dk: string | null = t > 0 ? itemDay(m, t) : day;
    if (dk !== null && dk !== day) {
      // Keyed by the day, so the key survives older pages arriving (a day can recur if clocks disagree).
      const n = seen.get(dk) ?? 0;
      seen.set(dk, n + 1);
      rows.push({ kind: "day", key: n ? `day:${dk}:${n}` : `day:${dk}`, label: dayLabel(t, now) });
      day = dk;
    }
    const joined = prev !== null && sameGroup(prev, m, spec);
    if (prevRow && joined) prevRow.groupEnd = false;
    const row: Extract<RowOf<T>, { kind: "msg" }> = { kind: "msg", key: spec.key(m), msg: m, groupStart: !joined, groupEnd: true };
    rows.push(row);
    prev = m;
    prevRow = row;
  }
  return rows;
}

function sameGroup<T extends object>(a: T, b: T, spec: RowSpec<T>): boolean {
  if (spec.sender(a) !== spec.sender(b)) return false;
  const ta = spec.time(a);
  const tb = spec.time(b);
  if (ta > 0 && tb > 0) {
    if (!(tb - ta < GROUP_GAP_MS) || itemDay(a, ta) !== itemDay(b, tb)) return false;
  } else if (ta > 0 || tb > 0) return false;
  return spec.joinable ? spec.joinable(a, b) : true;
}

/** A room's messages: plain text messages group; replies and threads start their own. */
const ROOM_ROWS: RowSpec<MessageView> = {
  key: (m) => m.key,
  sender: (m) => m.from_uid,
  time: (m) => m.created_ms,
  joinable: (a, b) => b.contents.kind === "text" && a.contents.kind === "text" && !b.reply && !b.is_thread && !a.is_thread,
};

/** Rows for a room's messages in order, with the "new messages" divider above `newFrom`
 * (the id of the first unread message, when the room opened with some); `now` only affects labels. */
export function buildRows(msgs: readonly MessageView[], now: number = Date.now(), newFrom: string | null = null): Row[] {
  const rows: Row[] = buildRowsOf(msgs, ROOM_ROWS, now);
  if (newFrom === null) return rows;
  const i = rows.findIndex((r) => r.kind === "msg" && r.msg.id === newFrom);
  if (i < 0) return rows;
  // Above the day separator when the first unread message starts a day.
  const at = i > 0 && rows[i - 1].kind === "day" ? i - 1 : i;
  rows.splice(at, 0, { kind: "new", key: "new" });
  // The divider breaks a sender's group.
  const r = rows[i + 1];
  if (r && r.kind === "msg") r.groupStart = true;
  const before = rows[at - 1];
  if (before && before.kind === "msg") before.groupEnd = true;
  return rows;
}

/** A local date, with the time unless `dateOnly` (a trade card's expiry). */
export function dateTimeLabel(ms: number, dateOnly = false): string {
  return dateOnly
    ? fmt("date", { dateStyle: "medium" }).format(ms)
    : fmt("date-time", { dateStyle: "medium", timeStyle: "short" }).format(ms);
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
