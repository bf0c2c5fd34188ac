// Reactions, edits and deletions in the conversation: the quick bar and the chips (mine
// highlighted, who in the tooltip), editing my message in the composer (Escape cancels, Enter
// saves, "(edited)" shows), deleting for everyone after a confirmation (a placeholder stays, its
// menu goes), and nothing offered that the user may not do.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import { one, q } from "./dom";

afterEach(() => cleanup());

async function inRoom() {
  const backend = mockBackend({ seed: true, ackDelay: 0 });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  await app.openRoom("room:group");
  const input = (await waitFor(() => one("composer"))) as HTMLTextAreaElement;
  await fireEvent.input(input, { target: { value: "my own words" } });
  await fireEvent.keyDown(input, { key: "Enter" });
  const mine = await waitFor(() => {
    const el = q("message").find((m) => m.dataset.mine === "true" && m.dataset.status === "sent" && m.textContent?.includes("my own words"));
    expect(el).toBeTruthy();
    return el!;
  });
  return { backend, app, mine, input };
}

const within = (el: HTMLElement, id: string) => [...el.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const byId = (id: string) => q("message").find((m) => m.dataset.id === id)!;

describe("message changes", () => {
  it("react from the quick bar, then take it back from the chip", async () => {
    const { backend, app, mine } = await inRoom();
    const id = mine.dataset.id!;
    await fireEvent.click(within(mine, "react-button")[0]);
    const picks = within(byId(id), "pick-reaction");
    expect(picks.map((p) => p.dataset.emoji)).toContain("🎉");
    await fireEvent.click(picks.find((p) => p.dataset.emoji === "🎉")!);
    const chip = await waitFor(() => {
      const c = within(byId(id), "reaction")[0];
      expect(c).toBeTruthy();
      return c;
    });
    expect(chip.getAttribute("aria-pressed")).toBe("true");
    expect(chip.textContent).toContain("1");
    // Who reacted, in the tooltip (Rust's names).
    expect(chip.title).toBe(app.account?.profile?.display_name);
    expect(backend.calls.find((c) => c.cmd === "react")?.args).toEqual({ message_id: id, emoji: "🎉", on: true });
    await fireEvent.click(chip);
    await waitFor(() => expect(within(byId(id), "reaction")).toHaveLength(0));
    expect(backend.calls.filter((c) => c.cmd === "react").at(-1)?.args.on).toBe(false);
  });

  it("edit my message: the composer takes its text, Escape cancels, Enter saves", async () => {
    const { backend, mine, input } = await inRoom();
    const id = mine.dataset.id!;
    await fireEvent.input(input, { target: { value: "a draft I keep" } });
    await fireEvent.click(within(mine, "edit-button")[0]);
    await waitFor(() => one("editing-bar"));
    expect(input.value).toBe("my own words");
    await fireEvent.keyDown(input, { key: "Escape" });
    await waitFor(() => expect(q("editing-bar")).toHaveLength(0));
    expect(input.value).toBe("a draft I keep");

    await fireEvent.click(within(byId(id), "edit-button")[0]);
    await fireEvent.input(input, { target: { value: "my better words" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(byId(id).textContent).toContain("my better words"));
    expect(within(byId(id), "edited")).toHaveLength(1);
    expect(backend.calls.find((c) => c.cmd === "edit_message")?.args).toMatchObject({ message_id: id, text: "my better words" });
    expect(backend.calls.some((c) => c.cmd === "send" && (c.args.draft as { text?: string }).text === "my better words")).toBe(false);
    expect(input.value).toBe("a draft I keep");
  });

  it("an edit stays in its room: switching rooms leaves it, and the draft is kept", async () => {
    const { app, mine, input } = await inRoom();
    await fireEvent.input(input, { target: { value: "draft in the group" } });
    await fireEvent.click(within(mine, "edit-button")[0]);
    await waitFor(() => one("editing-bar"));
    await fireEvent.input(input, { target: { value: "half an edit" } });
    const other = app.rooms.find((r) => r.room_id !== "room:group")!;
    await app.openRoom(other.room_id);
    await waitFor(() => expect(q("editing-bar")).toHaveLength(0));
    await app.openRoom("room:group");
    const back = (await waitFor(() => one("composer"))) as HTMLTextAreaElement;
    await waitFor(() => expect(back.value).toBe("draft in the group"));
    expect(q("editing-bar")).toHaveLength(0);
  });

  it("the quick bar takes focus, and Escape gives it back to its button", async () => {
    const { mine } = await inRoom();
    const id = mine.dataset.id!;
    const btn = within(mine, "react-button")[0];
    await fireEvent.click(btn);
    await waitFor(() => expect(document.activeElement?.getAttribute("data-testid")).toBe("pick-reaction"));
    await fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(within(byId(id), "reaction-bar")).toHaveLength(0));
    expect(document.activeElement).toBe(within(byId(id), "react-button")[0]);
  });

  it("delete for everyone asks first; a placeholder stays, without a menu", async () => {
    const { backend, mine } = await inRoom();
    const id = mine.dataset.id!;
    await fireEvent.click(within(mine, "delete-button")[0]);
    await waitFor(() => one("confirm-dialog"));
    await fireEvent.click(one("confirm-cancel"));
    expect(backend.calls.some((c) => c.cmd === "delete_message")).toBe(false);
    await fireEvent.click(within(byId(id), "delete-button")[0]);
    await fireEvent.click(await waitFor(() => one("confirm-delete")));
    await waitFor(() => expect(within(byId(id), "deleted")).toHaveLength(1));
    expect(byId(id).textContent).not.toContain("my own words");
    for (const b of ["react-button", "reply-button", "edit-button", "delete-button"]) expect(within(byId(id), b)).toHaveLength(0);
  });

  it("someone else's message: react and reply, but no edit or delete (I do not own the room)", async () => {
    const { app } = await inRoom();
    const other = q("message").find((m) => m.dataset.mine === "false" && m.dataset.id)!;
    expect(within(other, "react-button")).toHaveLength(1);
    expect(within(other, "edit-button")).toHaveLength(0);
    const owner = app.room?.creator_id === app.account?.user_id;
    expect(within(other, "delete-button")).toHaveLength(owner ? 1 : 0);
  });
});

describe("drafts", () => {
  it("a draft is saved in Rust a moment after typing, and comes back after a restart", async () => {
    const { drafts, SAVE_DELAY_MS } = await import("../lib/drafts");
    const { backend, input } = await inRoom();
    await fireEvent.input(input, { target: { value: "half a thought" } });
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "save_draft" && (c.args.draft as { text: string }).text === "half a thought")).toBe(true), { timeout: SAVE_DELAY_MS + 2000 });
    // A restart: nothing in memory, a new app over the same Rust.
    cleanup();
    drafts.reset();
    expect(drafts.has("room:group")).toBe(false);
    const app2 = new AppState(backend);
    await app2.start();
    render(App, { props: { app: app2 } });
    await waitFor(() => expect(drafts.has("room:group")).toBe(true));
    await app2.openRoom("room:group");
    const again = (await waitFor(() => one("composer"))) as HTMLTextAreaElement;
    await waitFor(() => expect(again.value).toBe("half a thought"));
  });
});
