import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { pickBackend } from "./lib/backend";
import { AppState } from "./lib/app.svelte";

const target = document.getElementById("app")!;
pickBackend().then((backend) => {
  const app = new AppState(backend);
  mount(App, { target, props: { app } });
  void app.start();
});
