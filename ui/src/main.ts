import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { pickBackend, type Commands } from "./lib/backend";
import { AppState } from "./lib/app.svelte";

// The startup benchmark's "bundle evaluated" mark (imports have run by now).
const bundleMs = performance.now();

const target = document.getElementById("app")!;
pickBackend().then((backend) => {
  forwardConsole(backend.commands);
  const app = new AppState(backend);
  mount(App, { target, props: { app } });
  void app.start(bundleMs);
});

// The WebView's errors and warnings go to the app's log file too (logfile.rs), so a bug report
// has them; the console keeps them as well.
function forwardConsole(cmds: Commands): void {
  const send = (level: "error" | "warn", parts: unknown[]) => {
    const text = parts.map((p) => (p instanceof Error ? `${p.name}: ${p.message}` : typeof p === "string" ? p : safeJson(p))).join(" ");
    cmds.log_ui(level, text).catch(() => {});
  };
  for (const level of ["error", "warn"] as const) {
    const orig = console[level].bind(console);
    console[level] = (...parts: unknown[]) => {
      orig(...parts);
      send(level, parts);
    };
  }
  window.addEventListener("error", (e) => send("error", [`uncaught: ${e.message} (${e.filename}:${e.lineno})`]));
  window.addEventListener("unhandledrejection", (e) => send("error", ["unhandled rejection:", e.reason]));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
