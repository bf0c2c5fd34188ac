import { describe, expect, it } from "vitest";
import type { UserView } from "../lib/bindings";
import { applyMention, keptMentions, mentionCandidates, mentionQuery } from "../lib/mentions";

const u = (id: string, name: string, ens = ""): UserView => ({
  user_id: id, nick_name: name, address: `0x${id.padStart(40, "0")}`, ens_name: ens, display_name: name, avatar_url: "", socials: [],
});
const members = [u("me", "me"), u("a", "alice", "alice.eth"), u("b", "bob"), u("c", "carol"), u("d", "albert")];

describe("mention completion", () => {
  it("finds the @word at the caret, only at a word start", () => {
    expect(mentionQuery("hi @al", 6)).toEqual({ at: 3, query: "al" });
    expect(mentionQuery("@", 1)).toEqual({ at: 0, query: "" });
    expect(mentionQuery("mail me@al", 10)).toBeNull();
    expect(mentionQuery("hi @al there", 12)).toBeNull();
    expect(mentionQuery("no at", 5)).toBeNull();
  });

  it("offers matching members, prefix first, never me", () => {
    expect(mentionCandidates(members, "al", "me").map((x) => x.user_id)).toEqual(["d", "a"]);
    expect(mentionCandidates(members, "ice", "me").map((x) => x.user_id)).toEqual(["a"]);
    expect(mentionCandidates(members, "", "me").map((x) => x.user_id)).not.toContain("me");
    expect(mentionCandidates(members, "eth", "me").map((x) => x.user_id)).toEqual(["a"]);
    expect(mentionCandidates(members, "zzz", "me")).toEqual([]);
  });

  it("inserts @display_name and a space and records the user id once", () => {
    const q = mentionQuery("hey @bo how", 7)!;
    const r = applyMention("hey @bo how", 7, q, members[2], []);
    expect(r.text).toBe("hey @bob  how");
    expect(r.caret).toBe("hey @bob ".length);
    expect(r.mentions).toEqual(["b"]);
    const again = applyMention(r.text + " @b", r.text.length + 3, mentionQuery(r.text + " @b", r.text.length + 3)!, members[2], r.mentions);
    expect(again.mentions).toEqual(["b"]);
  });

  it("drops mentions whose name was deleted before sending", () => {
    expect(keptMentions("hi @alice", ["a", "b"], members)).toEqual(["a"]);
  });
});
