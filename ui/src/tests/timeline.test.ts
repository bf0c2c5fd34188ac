import { describe, expect, it } from "vitest";
import type { MessageView } from "../lib/bindings";
import { buildRows, dayKey } from "../lib/timeline";

export function msg(p: Partial<MessageView> & { key: string }): MessageView {
  return {
    id: p.key,
    seq: 1,
    client_msg_id: null,
    room_id: "r",
    from_uid: "a",
    sender_name: "A",
    sender_avatar: "",
    mine: false,
    created_ms: Date.UTC(2025, 0, 1, 12),
    contents: { kind: "text", text: "hi", parts: [{ kind: "text", text: "hi" }] },
    preview: "hi",
    reply: null,
    thread_id: null,
    is_thread: false,
    item: null,
    mentions_me: false,
    status: "sent",
    error: null,
    edited: false,
    deleted: false,
    reactions: [],
    thread_summary: null,
    ...p,
  };
}

describe("buildRows", () => {
  const day1 = new Date(2025, 0, 1, 10, 0).getTime();
  const day2 = new Date(2025, 0, 2, 9, 0).getTime();

  it("puts a separator before the first message of each day", () => {
    const rows = buildRows([
      msg({ key: "1", created_ms: day1 }),
      msg({ key: "2", created_ms: day1 + 60_000 }),
      msg({ key: "3", created_ms: day2 }),
    ]);
    expect(rows.map((r) => r.kind)).toEqual(["day", "msg", "msg", "day", "msg"]);
    expect(dayKey(day1)).not.toBe(dayKey(day2));
    const keys = rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("groups consecutive messages of one sender, not across senders, gaps or days", () => {
    const rows = buildRows([
      msg({ key: "1", from_uid: "a", created_ms: day1 }),
      msg({ key: "2", from_uid: "a", created_ms: day1 + 30_000 }),
      msg({ key: "3", from_uid: "b", created_ms: day1 + 60_000 }),
      msg({ key: "4", from_uid: "b", created_ms: day1 + 60_000 + 10 * 60_000 }),
      msg({ key: "5", from_uid: "b", created_ms: day1 + 60_000 + 10 * 60_000 + 1000, reply: { id: "1", sender_name: "A", text: "hi", found: true, deleted: false } }),
      msg({ key: "6", from_uid: "b", created_ms: day2 }),
    ]).filter((r) => r.kind === "msg");
    expect(rows.map((r) => (r.kind === "msg" ? r.groupStart : null))).toEqual([true, false, true, true, true, true]);
    expect(rows.map((r) => (r.kind === "msg" ? r.groupEnd : null))).toEqual([false, true, true, true, true, true]);
  });
});
