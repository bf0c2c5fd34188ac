// Threads and search as a room shows them: a root says how many replies it has and who wrote
// them (Rust's summary) and opens its thread; the room's threads list; a search hit in a thread
// opens that thread; search narrows to the open room and a sender and says how many it found.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import { one, q } from "./dom";

afterEach(() => cleanup());

async function inGroup() {
  const backend = mockBackend({ seed: true, ackDelay: 0 });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  await app.openRoom("room:group");
  await waitFor(() => one("composer"));
  return { backend, app };
}

describe("threads", () => {
  it("a root shows its replies and opens its thread; the room lists its threads", async () => {
    const { app } = await inGroup();
    const summary = await waitFor(() => one("thread-summary"));
    expect(one("thread-replies").textContent).toBe("1 reply");
    expect(summary.textContent).toContain("Last reply");
    await fireEvent.click(summary);
    await waitFor(() => expect(app.side.kind).toBe("thread"));
    const panel = one("thread-panel");
    expect(panel.textContent).toContain("floor is rising");

    await fireEvent.click(one("threads-button"));
    await waitFor(() => one("threads-panel"));
    const roots = await waitFor(() => {
      const r = q("thread-root");
      expect(r.length).toBe(1);
      return r;
    });
    expect(roots[0].textContent).toContain("1 reply");
    app.side = { kind: "none" };
    await waitFor(() => expect(document.querySelector('[data-testid="threads-panel"]')).toBeNull());
    await fireEvent.click(one("threads-button"));
    await fireEvent.click(await waitFor(() => q("thread-root")[0]));
    await waitFor(() => expect(app.side.kind).toBe("thread"));
  });

  it("a search hit in a thread opens the thread beside its room", async () => {
    const { app } = await inGroup();
    await fireEvent.input(one("search-input"), { target: { value: "floor" } });
    await fireEvent.click(await waitFor(() => one("search-result"), { timeout: 2000 }));
    await waitFor(() => expect(app.side.kind).toBe("thread"));
    await waitFor(() => expect(one("thread-panel").textContent).toContain("floor is rising"));
    // The jump landed (on the root, in the room): nothing waits to land.
    await waitFor(() => expect(app.jump).toBeNull());
  });
});

describe("search filters", () => {
  it("narrows to the open room and a sender, and says how many messages it found", async () => {
    const { backend } = await inGroup();
    await fireEvent.input(one("search-input"), { target: { value: "trade" } });
    await waitFor(() => expect(one("search-count").textContent).toMatch(/^1 message found/), { timeout: 2000 });
    await fireEvent.click(one("search-this-room"));
    const from = one("search-from") as HTMLSelectElement;
    const bob = [...from.options].find((o) => o.textContent === "From bob");
    expect(bob).toBeTruthy();
    await fireEvent.change(from, { target: { value: bob!.value } });
    await waitFor(() => {
      const last = backend.calls.filter((c) => c.cmd === "search").at(-1)!;
      expect(JSON.stringify(last.args.filter)).toBe(JSON.stringify({ room_id: "room:group", from_uid: bob!.value, after_ms: null, before_ms: null }));
    });
    await waitFor(() => expect(one("search-count").textContent).toMatch(/^0 messages found/), { timeout: 2000 });
    const after = one("search-after") as HTMLInputElement;
    await fireEvent.change(after, { target: { value: "2026-01-02" } });
    await waitFor(() => {
      const f = backend.calls.filter((c) => c.cmd === "search").at(-1)!.args.filter as { after_ms: number | null };
      expect(f.after_ms).toBe(new Date("2026-01-02T00:00").getTime());
    });
  });
});
