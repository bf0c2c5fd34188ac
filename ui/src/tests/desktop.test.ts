// The desktop conventions through the mock seam: the banner's catch-up progress and Retry now,
// zoom keys, copying the address, the "System" theme from the desktop portal.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/svelte";
import App from "../App.svelte";
import { AppState } from "../lib/app.svelte";
import { mockBackend, type MockOptions } from "../lib/mock";

afterEach(() => cleanup());

const q = (id: string) => [...document.body.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
/** The element, once it is there. */
const first = (id: string) =>
  waitFor(() => {
    const el = q(id)[0];
    expect(el, id).toBeTruthy();
    return el;
  });

async function started(opts: MockOptions = {}) {
  const backend = mockBackend({ seed: true, ackDelay: 0, ...opts });
  const app = new AppState(backend);
  await app.start();
  render(App, { props: { app } });
  await waitFor(() => expect(q("room-item").length).toBeGreaterThan(0));
  return { backend, app };
}

describe("connection banner", () => {
  it("shows the catch-up progress while rooms download, then Online", async () => {
    const { app } = await started();
    app.handle({ type: "connection", state: { state: "online", endpoint: "ws://x/mqtt", catching_up: { done: 12, total: 50 } } });
    await waitFor(() => expect(q("catching-up")[0]?.textContent).toContain("catching up 12 of 50 rooms"));
    app.handle({ type: "connection", state: { state: "online", endpoint: "ws://x/mqtt", catching_up: null } });
    await waitFor(() => expect(q("catching-up").length).toBe(0));
    expect(q("connection-banner")[0].textContent).toContain("Online");
  });

  it("offers Retry now when offline, which asks Rust to reconnect", async () => {
    const { app, backend } = await started();
    expect(q("retry-now").length).toBe(0);
    app.handle({ type: "connection", state: { state: "offline", reason: "refused", retry_in_ms: 30_000 } });
    await fireEvent.click(await first("retry-now"));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "reconnect_now")).toBe(true));
  });
});

describe("desktop conventions", () => {
  it("Ctrl +, Ctrl − and Ctrl 0 ask Rust to zoom, on any screen", async () => {
    const { backend } = await started();
    await fireEvent.keyDown(window, { key: "=", ctrlKey: true });
    await fireEvent.keyDown(window, { key: "-", ctrlKey: true });
    await fireEvent.keyDown(window, { key: "0", ctrlKey: true });
    const steps = backend.calls.filter((c) => c.cmd === "zoom").map((c) => c.args.step);
    expect(steps).toEqual(["in", "out", "reset"]);
  });

  it("copies the account's address through Rust and says so", async () => {
    const { app, backend } = await started();
    await fireEvent.click(q("settings-button")[0]);
    await fireEvent.click(await first("copy-address"));
    await waitFor(() => expect(backend.copied).toEqual([app.account!.address]));
    await waitFor(() => expect(q("notice")[0]?.textContent).toBe("Address copied"));
  });

  it("the System theme follows the desktop portal over the WebView's media query, and Rust learns what was shown", async () => {
    const { app, backend } = await started({ systemDark: true });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "theme_shown" && c.args.dark === true)).toBe(true));
    // An explicit theme wins.
    await app.saveSettings({ ...app.settings, theme: "light" });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
    // No portal answer: the media query (light in happy-dom) decides.
    app.portalDark = null;
    await app.saveSettings({ ...app.settings, theme: "system" });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
  });

  it("the System theme changes live when the desktop switches its style (the portal's signal, through Rust)", async () => {
    const { backend } = await started({ systemDark: false });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
    backend.emit({ type: "system_theme", dark: true });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "theme_shown" && c.args.dark === true)).toBe(true));
    backend.emit({ type: "system_theme", dark: false });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
  });
});
