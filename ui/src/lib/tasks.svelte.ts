// Small reactive helpers for components that call commands.
import { errorText } from "./backend";

/** One user action at a time: `busy` while it runs, `error` (an AppError's message) when it fails. */
export class Task {
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `f` unless already running; resolves to its result, or undefined on failure. */
  async run<T>(f: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await f();
    } catch (e) {
      this.error = errorText(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}

/** A debounced query whose answers only count when they answer the latest question. */
export class Lookup<T> {
  results = $state.raw<T[]>([]);
  error = $state<string | null>(null);
  /** A question is waiting for its answer. */
  pending = $state(false);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;

  constructor(
    private query: (q: string) => Promise<T[]>,
    private delay = 200,
  ) {}

  /** Asks again after the delay; an empty question clears the answers. */
  set(q: string): void {
    clearTimeout(this.timer);
    const mine = ++this.seq;
    const text = q.trim();
    if (!text) {
      this.results = [];
      this.error = null;
      this.pending = false;
      return;
    }
    this.pending = true;
    this.timer = setTimeout(async () => {
      try {
        const r = await this.query(text);
        if (mine === this.seq) {
          this.results = r;
          this.error = null;
          this.pending = false;
        }
      } catch (e) {
        if (mine === this.seq) {
          this.results = [];
          this.error = errorText(e);
          this.pending = false;
        }
      }
    }, this.delay);
  }
}
