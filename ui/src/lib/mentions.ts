// `@` completion in the composer: find the word being typed after an `@`,
// offer the room's members, insert `@display_name ` and remember the user id.
import type { UserView } from "./bindings";

export interface MentionQuery {
  /** Where the `@` is. */
  at: number;
  /** What follows it up to the caret. */
  query: string;
}

/** The mention being typed at the caret, if any: an `@` at a word start, no whitespace after it. */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at < 0) return null;
  if (at > 0 && !/\s/.test(before[at - 1])) return null;
  const query = before.slice(at + 1);
  if (/\s/.test(query) || query.length > 40) return null;
  return { at, query };
}

/** Members matching a query (not me), best first, at most `max`. */
export function mentionCandidates(members: readonly UserView[], query: string, me: string, max = 8): UserView[] {
  const q = query.toLowerCase();
  const scored: { u: UserView; s: number }[] = [];
  for (const u of members) {
    if (u.user_id === me) continue;
    const names = [u.display_name, u.nick_name, u.ens_name, u.address].map((n) => (n || "").toLowerCase());
    let s = -1;
    for (const n of names) {
      if (!n) continue;
      if (n.startsWith(q)) s = Math.max(s, 2);
      else if (n.includes(q)) s = Math.max(s, 1);
    }
    if (q === "") s = 0;
    if (s >= 0) scored.push({ u, s });
  }
  scored.sort((a, b) => b.s - a.s || a.u.display_name.localeCompare(b.u.display_name));
  return scored.slice(0, max).map((x) => x.u);
}

export interface Completed {
  text: string;
  caret: number;
  mentions: string[];
}

/** Replaces `@query` at the caret with `@display_name ` and adds the user to the mentions. */
export function applyMention(text: string, caret: number, q: MentionQuery, user: UserView, mentions: readonly string[]): Completed {
  const insert = `@${user.display_name} `;
  const next = text.slice(0, q.at) + insert + text.slice(caret);
  const ids = mentions.includes(user.user_id) ? [...mentions] : [...mentions, user.user_id];
  return { text: next, caret: q.at + insert.length, mentions: ids };
}

/** The mentions still present in the text when it is sent. */
export function keptMentions(text: string, mentions: readonly string[], members: readonly UserView[]): string[] {
  return mentions.filter((id) => {
    const u = members.find((m) => m.user_id === id);
    return !u || text.includes(`@${u.display_name}`);
  });
}
