// The Markdown subset as Rust splits it renders as elements around text: bold, italic, code,
// code blocks and quotes; hostile text inside any of them stays text.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "@testing-library/svelte";
import TextContent from "../components/TextContent.svelte";
import type { TextPart } from "../lib/bindings";

afterEach(() => cleanup());

describe("formatted text", () => {
  it("renders each kind of part as its element, with text only inside", () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const parts: TextPart[] = [
      { kind: "bold", text: "loud" },
      { kind: "text", text: " " },
      { kind: "italic", text: hostile },
      { kind: "code", text: "x<b>" },
      { kind: "code_block", text: `line 1\n${hostile}` },
      { kind: "quote", text: "said" },
    ];
    const { container } = render(TextContent, { props: { parts } });
    expect(container.querySelector("strong")?.textContent).toBe("loud");
    expect(container.querySelector("em")?.textContent).toBe(hostile);
    expect(container.querySelector(":not(pre) > code")?.textContent).toBe("x<b>");
    expect(container.querySelector('[data-testid="code-block"]')?.textContent).toBe(`line 1\n${hostile}`);
    expect(container.querySelector('[data-testid="quote"]')?.textContent).toBe("said");
    expect(container.querySelector("img, b")).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
