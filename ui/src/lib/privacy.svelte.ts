// When images from other hosts load. Each such load tells that host who is
// reading, so the settings let the user load them only on click. The value
// is Rust's (the app settings); AppState mirrors it here for the image
// components, which have no AppState of their own.
import type { RemoteImages } from "./bindings";

export const remoteImages = $state<{ mode: RemoteImages }>({ mode: "always" });

/** Mirrors the settings' choice. */
export function setRemoteImages(mode: RemoteImages | undefined): void {
  remoteImages.mode = mode ?? "always";
}
