// My profile and other people's: nickname and avatar changed from Settings (reached by a click on
// my name), my address with copy and a QR code, "Message" on a member, the welcome of an empty
// account.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend } from "../lib/mock";
import { one, q } from "./dom";

afterEach(() => cleanup());

const type = (id: string, value: string) => fireEvent.input(one(id), { target: { value } });

async function start(seed = true) {
  const backend = mockBackend({ seed, ackDelay: 0 });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  return { backend, app };
}

describe("profile", () => {
  it("a click on my name opens it; nickname and avatar change, an http avatar is refused", async () => {
    const { backend, app } = await start();
    await fireEvent.click(await waitFor(() => one("my-profile")));
    await waitFor(() => one("profile-section"));
    await type("profile-avatar", "http://example.com/me.png");
    expect((one("profile-save") as HTMLButtonElement).disabled).toBe(true);
    await type("profile-avatar", "https://example.com/me.png");
    await type("profile-nickname", "Renamed Me");
    await fireEvent.click(one("profile-save"));
    await waitFor(() => expect(app.account?.profile?.display_name).toBe("Renamed Me"));
    const call = backend.calls.find((c) => c.cmd === "set_profile")!;
    expect(call.args).toEqual({ nick_name: "Renamed Me", avatar_url: "https://example.com/me.png" });
    expect(one("my-profile").textContent).toContain("Renamed Me");
  });

  it("my address: shortened with copy, a QR code drawn from Rust's modules, a share text", async () => {
    const { backend, app } = await start();
    await fireEvent.click(await waitFor(() => one("my-profile")));
    const section = await waitFor(() => one("profile-section"));
    expect(section.querySelector('[data-testid="short-address"]')!.textContent).toMatch(/^0x[0-9a-f]{4}…[0-9a-f]{4}$/);
    await fireEvent.click(one("copy-address"));
    await waitFor(() => expect(backend.copied).toContain(app.account!.address));
    await fireEvent.click(one("show-qr"));
    const svg = await waitFor(() => one("address-qr"));
    const share = await backend.commands.share();
    expect(svg.querySelectorAll("rect").length).toBe(1 + share.qr.dark.filter(Boolean).length);
    await fireEvent.click(one("copy-share"));
    await waitFor(() => expect(backend.copied).toContain(`Message me on Web3MQ: ${app.account!.address}`));
  });

  it("Message on a group member opens our 1v1 room", async () => {
    const { backend, app } = await start();
    await app.openRoom("room:group");
    app.side = { kind: "info" };
    const btn = await waitFor(() => {
      const b = q("message-member")[0];
      expect(b).toBeTruthy();
      return b;
    });
    const uid = btn.closest<HTMLElement>('[data-testid="member"]')!.dataset.userId!;
    await fireEvent.click(btn);
    await waitFor(() => expect(app.room?.kind).toBe("direct"));
    expect(app.room!.members.some((m) => m.user_id === uid)).toBe(true);
    expect(backend.calls.find((c) => c.cmd === "open_direct")!.args.user_id).toBe(uid);
  });

  it("an account with no rooms is welcomed with what to do next", async () => {
    const { app } = await start(false);
    await waitFor(() => one("onboarding"));
    await fireEvent.click(one("sign-in"));
    await fireEvent.click(await waitFor(() => one("phrase-later")));
    await waitFor(() => one("nickname"));
    await type("nickname", "new person");
    await fireEvent.click(one("save-nickname"));
    const w = await waitFor(() => one("welcome"));
    expect(w.textContent).toContain("new person");
    await fireEvent.click(one("welcome-channel"));
    expect(app.channelPickerOpen).toBe(true);
    await fireEvent.click(one("welcome-chat"));
    await waitFor(() => one("new-room-dialog"));
  });
});
