// The line under a room's messages that says who is typing (names from Rust's typing events).

/** "Ann is typing…", "Ann and Bob are typing…", "Ann, Bob and 3 others are typing…"; empty for nobody. */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  const rest = names.length - 2;
  return `${names[0]}, ${names[1]} and ${rest} ${rest === 1 ? "other" : "others"} are typing…`;
}
