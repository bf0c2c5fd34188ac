// The settings before Rust's first answer (Rust's `Settings::default`, which wins once it answers).
import type { Settings } from "./bindings";

export function defaultSettings(): Settings {
  return {
    theme: "system",
    notifications: true,
    remote_images: "always",
    zoom_percent: 100,
    last_dark: false,
    read_receipts: true,
    typing_indicators: true,
  };
}
