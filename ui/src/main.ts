import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { pickBackend } from "./lib/backend";
import { AppState } from "./lib/app.svelte";

// The startup benchmark's "bundle evaluated" mark (imports have run by now).
const bundleMs = performance.now();

const target = document.getElementById("app")!;
pickBackend().then((backend) => {
  const app = new AppState(backend);
  mount(App, { target, props: { app } });
  void app.start(bundleMs);
});
