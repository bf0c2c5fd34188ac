// Emoji in the composer: `:shortcode:` completion (type a colon and two letters) and the
// picker's set. The shortcodes are the common GitHub/Slack names.

/** [shortcode, emoji], the picker's order. */
export const EMOJI: readonly (readonly [string, string])[] = [
  ["smile", "😄"], ["grin", "😁"], ["joy", "😂"], ["rofl", "🤣"], ["slightly_smiling_face", "🙂"],
  ["wink", "😉"], ["blush", "😊"], ["heart_eyes", "😍"], ["kissing_heart", "😘"], ["yum", "😋"],
  ["stuck_out_tongue", "😛"], ["thinking", "🤔"], ["neutral_face", "😐"], ["expressionless", "😑"],
  ["roll_eyes", "🙄"], ["smirk", "😏"], ["relieved", "😌"], ["sleeping", "😴"], ["sunglasses", "😎"],
  ["nerd_face", "🤓"], ["confused", "😕"], ["worried", "😟"], ["open_mouth", "😮"], ["astonished", "😲"],
  ["flushed", "😳"], ["pleading_face", "🥺"], ["cry", "😢"], ["sob", "😭"], ["scream", "😱"],
  ["angry", "😠"], ["rage", "😡"], ["skull", "💀"], ["clown_face", "🤡"], ["ghost", "👻"],
  ["robot", "🤖"], ["see_no_evil", "🙈"], ["wave", "👋"], ["ok_hand", "👌"], ["+1", "👍"],
  ["thumbsup", "👍"], ["-1", "👎"], ["thumbsdown", "👎"], ["clap", "👏"], ["raised_hands", "🙌"],
  ["pray", "🙏"], ["muscle", "💪"], ["point_up", "☝️"], ["eyes", "👀"], ["brain", "🧠"],
  ["heart", "❤️"], ["orange_heart", "🧡"], ["yellow_heart", "💛"], ["green_heart", "💚"],
  ["blue_heart", "💙"], ["purple_heart", "💜"], ["broken_heart", "💔"], ["fire", "🔥"], ["sparkles", "✨"],
  ["star", "⭐"], ["zap", "⚡"], ["boom", "💥"], ["100", "💯"], ["tada", "🎉"], ["confetti_ball", "🎊"],
  ["gift", "🎁"], ["trophy", "🏆"], ["rocket", "🚀"], ["moon", "🌙"], ["sunny", "☀️"], ["rainbow", "🌈"],
  ["gem", "💎"], ["moneybag", "💰"], ["chart_with_upwards_trend", "📈"], ["chart_with_downwards_trend", "📉"],
  ["lock", "🔒"], ["key", "🔑"], ["bulb", "💡"], ["warning", "⚠️"], ["white_check_mark", "✅"],
  ["x", "❌"], ["question", "❓"], ["coffee", "☕"], ["pizza", "🍕"], ["beer", "🍺"], ["frog", "🐸"],
  ["ape", "🦍"], ["unicorn", "🦄"], ["whale", "🐳"], ["art", "🎨"],
];

export interface ShortcodeQuery {
  /** Where the `:` is. */
  at: number;
  /** What follows it up to the caret. */
  query: string;
}

/** The shortcode being typed at the caret: `:` at a word start, then 2 to 30 of a-z 0-9 _ + -. */
export function shortcodeQuery(text: string, caret: number): ShortcodeQuery | null {
  const m = /(^|\s):([a-z0-9_+-]{2,30})$/i.exec(text.slice(0, caret));
  if (!m) return null;
  return { at: caret - m[2].length - 1, query: m[2].toLowerCase() };
}

/** Emoji whose shortcode starts with the query, then contains it; at most `max`, one per emoji. */
export function emojiCandidates(query: string, max = 8): (readonly [string, string])[] {
  const starts = EMOJI.filter(([c]) => c.startsWith(query));
  const contains = EMOJI.filter(([c]) => !c.startsWith(query) && c.includes(query));
  const seen = new Set<string>();
  const out: (readonly [string, string])[] = [];
  for (const e of [...starts, ...contains]) {
    if (seen.has(e[1])) continue;
    seen.add(e[1]);
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

/** Replaces `:query` at the caret with the emoji (and a space). */
export function applyEmoji(text: string, caret: number, q: ShortcodeQuery, emoji: string): { text: string; caret: number } {
  const insert = `${emoji} `;
  return { text: text.slice(0, q.at) + insert + text.slice(caret), caret: q.at + insert.length };
}

/** Inserts an emoji at the caret (the picker). */
export function insertEmoji(text: string, start: number, end: number, emoji: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + emoji + text.slice(end), caret: start + emoji.length };
}
