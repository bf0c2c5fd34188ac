// Every URL the UI uses comes from the network. Rust blanks non-http(s) URLs;
// the UI checks again before using one as an href or an image source.

/** An absolute http:// or https:// URL (case-insensitive scheme, nothing else). */
export function isHttpUrl(u: unknown): u is string {
  if (typeof u !== "string") return false;
  const s = u.trim();
  if (!/^https?:\/\//i.test(s)) return false;
  if (/[\s\u0000-\u001f<>"`]/.test(s)) return false;
  try {
    const p = new URL(s);
    return (p.protocol === "http:" || p.protocol === "https:") && p.host !== "";
  } catch {
    return false;
  }
}

/** The URL when it is http(s), else undefined (so an attribute is left out). */
export function safeUrl(u: unknown): string | undefined {
  return isHttpUrl(u) ? u.trim() : undefined;
}
