// Emoji in the composer: `:shortcode` completion with the keyboard and the mouse, and the picker
// inserting at the caret; a colon in ordinary text offers nothing.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import { emojiCandidates, shortcodeQuery } from "../lib/emoji";
import { one, q } from "./dom";

afterEach(() => cleanup());

async function composer() {
  const backend = mockBackend({ seed: true, ackDelay: 0 });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  await app.openRoom("room:group");
  return (await waitFor(() => one("composer"))) as HTMLTextAreaElement;
}

async function type(input: HTMLTextAreaElement, value: string) {
  input.value = value;
  input.setSelectionRange(value.length, value.length);
  await fireEvent.input(input, { target: { value } });
}

describe("emoji", () => {
  it("finds shortcodes only at a word start, best first, one per emoji", () => {
    expect(shortcodeQuery("hello :fi", 9)).toEqual({ at: 6, query: "fi" });
    expect(shortcodeQuery("10:30", 5)).toBeNull();
    expect(shortcodeQuery("see :f", 6)).toBeNull();
    expect(emojiCandidates("fire")[0][1]).toBe("🔥");
    const thumbs = emojiCandidates("thumbs");
    expect(thumbs.map((e) => e[1])).toEqual(["👍", "👎"]);
  });

  it("completes a shortcode with Enter, and the picker inserts at the caret", async () => {
    const input = await composer();
    await type(input, "so :fir");
    await waitFor(() => expect(q("emoji-option").length).toBeGreaterThan(0));
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(input.value).toBe("so 🔥 "));
    expect(document.querySelector('[data-testid="emoji-list"]')).toBeNull();
    // A time is not a shortcode.
    await type(input, "at 10:30");
    expect(document.querySelector('[data-testid="emoji-list"]')).toBeNull();
    await type(input, "nice ");
    await fireEvent.click(one("emoji-button"));
    const tada = await waitFor(() => q("emoji-pick").find((b) => b.textContent === "🎉")!);
    await fireEvent.click(tada);
    await waitFor(() => expect(input.value).toBe("nice 🎉"));
    expect(document.querySelector('[data-testid="emoji-picker"]')).toBeNull();
  });
});
