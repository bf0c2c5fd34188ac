// The one seam between the UI and Rust. Everything the UI asks of the app goes
// through a Backend: typed commands (from the generated bindings) and the
// stream of UiEvents. Nothing else in the UI imports @tauri-apps.
import { commands, SUBSCRIBE, type AppError, type Commands, type Invoke, type UiEvent } from "./bindings";

export type { Commands };

export interface Backend {
  commands: Commands;
  /** Subscribes to the app's events; resolves to an unsubscribe function. */
  listen(h: (e: UiEvent) => void): Promise<() => void>;
}

/** The real backend: Tauri's IPC. Loaded lazily so the browser build does not need Tauri. */
export async function tauriBackend(): Promise<Backend> {
  const core = await import("@tauri-apps/api/core");
  const invoke: Invoke = <T>(cmd: string, args: Record<string, unknown>) =>
    core.invoke<T>(cmd, args).catch((e: unknown) => {
      throw toAppError(e);
    });
  return {
    commands: commands(invoke),
    // Events come over a Channel (ordered, never dropped); subscribing again
    // (a reload) replaces the one Rust sends to. UiEvent "resync" says what
    // was shown must be reloaded.
    listen: async (h) => {
      let on = true;
      const channel = new core.Channel<UiEvent>();
      channel.onmessage = (e) => {
        if (on) h(e);
      };
      await core.invoke(SUBSCRIBE, { channel });
      return () => {
        on = false;
      };
    },
  };
}

/** Inside the Tauri WebView? */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The Tauri backend in the app, the in-memory mock in a plain browser. */
export async function pickBackend(): Promise<Backend> {
  if (inTauri()) return tauriBackend();
  // In a plain browser (npm run dev): the mock. `?fresh` starts signed out, `?big=100000` adds a long room.
  const { mockBackend } = await import("./mock");
  const q = new URLSearchParams(window.location.search);
  return mockBackend({ seed: !q.has("fresh"), bigRoom: Number(q.get("big") ?? 0) || 0 });
}

/** Rejections are AppErrors; anything else is wrapped into one. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return { code: String(o.code), message: String(o.message) };
  }
  if (e instanceof Error) return { code: "ui", message: e.message };
  return { code: "unknown", message: String(e) };
}

/** A human-readable message of any rejection. */
export function errorText(e: unknown): string {
  return toAppError(e).message;
}
