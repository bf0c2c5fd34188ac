// What trade (sudoswap) and OpenSea item cards show of their raw fields: an
// expiry as a local date and time, and addresses shortened (the full one stays
// in the title, for screen readers and on the clipboard).
import { dateTimeLabel } from "./timeline";

export interface Expiry {
  /** Unix ms, or null when the text is not a date we read. */
  ms: number | null;
  /** For a <time datetime>: an ISO date or date-time; empty when unknown. */
  datetime: string;
  /** What to show: the local date (and time), or the raw text as sent. */
  label: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Reads a card's `expiryDate`: free text as the seed writes it (`2022-05-14, 12:00 AM`, local time),
 * an ISO date-time (`2026-01-04T00:00:00.000Z`) or a bare date (`2030-01-01`, a local day).
 * Anything else is shown as it came.
 */
export function parseExpiry(raw: string): Expiry {
  const s = raw.trim();
  const unknown: Expiry = { ms: null, datetime: "", label: s };
  if (!s) return unknown;
  // The seed's form (and without the comma, or in 24 h): a local wall-clock time.
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:,?\s+(\d{1,2}):(\d{2})(?:\s*([AaPp])\.?[Mm]\.?)?)?$/.exec(s);
  if (m) {
    const [, y, mo, d, hh, mm, ap] = m;
    let h = hh === undefined ? 0 : Number(hh);
    if (ap) {
      if (h < 1 || h > 12) return unknown;
      h = (h % 12) + (ap.toLowerCase() === "p" ? 12 : 0);
    }
    const date = new Date(Number(y), Number(mo) - 1, Number(d), h, Number(mm ?? 0));
    // Rejects 2022-02-31 and 25:00 rather than rolling them over.
    if (date.getMonth() !== Number(mo) - 1 || date.getDate() !== Number(d) || date.getHours() !== h || h > 23 || Number(mm ?? 0) > 59) {
      return unknown;
    }
    const day = `${y}-${pad(Number(mo))}-${pad(Number(d))}`;
    const dateOnly = hh === undefined;
    return {
      ms: date.getTime(),
      datetime: dateOnly ? day : `${day}T${pad(h)}:${mm}`,
      label: dateTimeLabel(date.getTime(), dateOnly),
    };
  }
  // ISO 8601 with a time (and a zone or not): the instant, shown in local time.
  m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) return unknown;
    return { ms, datetime: new Date(ms).toISOString(), label: dateTimeLabel(ms) };
  }
  return unknown;
}

/** `0x1234…abcd` for an address (or any long hex id); short strings are kept whole. */
export function shortAddress(a: string, head = 6, tail = 4): string {
  const s = a.trim();
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}
