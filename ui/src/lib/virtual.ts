// Windowing math for the virtualized message list: item heights (measured or
// estimated) in a Fenwick tree, so offsets and "which item is at y" are
// O(log n) for 100,000 items, and the window of items to render.

/** Prefix sums of item heights. */
export class HeightIndex {
  private tree: Float64Array;
  private h: Float64Array;

  constructor(heights: ArrayLike<number>) {
    const n = heights.length;
    this.h = Float64Array.from(heights);
    this.tree = new Float64Array(n + 1);
    // O(n) build.
    for (let i = 1; i <= n; i++) {
      this.tree[i] += this.h[i - 1];
      const j = i + (i & -i);
      if (j <= n) this.tree[j] += this.tree[i];
    }
  }

  get length(): number {
    return this.h.length;
  }

  height(i: number): number {
    return this.h[i];
  }

  /** Sets item i's height; returns the change. */
  set(i: number, height: number): number {
    const d = height - this.h[i];
    if (d === 0) return 0;
    this.h[i] = height;
    for (let j = i + 1; j < this.tree.length; j += j & -j) this.tree[j] += d;
    return d;
  }

  /** The top of item i (the sum of the heights before it); offset(length) is the total. */
  offset(i: number): number {
    let s = 0;
    for (let j = Math.min(i, this.h.length); j > 0; j -= j & -j) s += this.tree[j];
    return s;
  }

  total(): number {
    return this.offset(this.h.length);
  }

  /** The index of the item that contains y (clamped to [0, length-1]; 0 when empty). */
  indexAt(y: number): number {
    const n = this.h.length;
    if (n === 0 || y <= 0) return 0;
    let pos = 0;
    let rest = y;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && this.tree[next] <= rest) {
        pos = next;
        rest -= this.tree[next];
      }
    }
    return Math.min(pos, n - 1);
  }
}

export interface Window {
  /** First rendered index. */
  start: number;
  /** One past the last rendered index. */
  end: number;
  /** Space above the rendered items. */
  padTop: number;
  /** Space below them. */
  padBottom: number;
}

/** The hard cap on rendered items, whatever the viewport. */
export const MAX_RENDERED = 200;

/**
 * The items to render for a viewport at `scrollTop` of height `viewport`,
 * with `overscan` pixels above and below, never more than `max` items.
 */
export function computeWindow(
  idx: HeightIndex,
  scrollTop: number,
  viewport: number,
  overscan = 600,
  max = MAX_RENDERED,
): Window {
  const n = idx.length;
  if (n === 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const total = idx.total();
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, total - viewport)));
  const first = idx.indexAt(top);
  let start = idx.indexAt(top - overscan);
  let end = idx.indexAt(top + viewport + overscan) + 1;
  if (end - start > max) {
    // Keep the visible part, trim the overscan evenly around it.
    const lastVisible = idx.indexAt(top + viewport) + 1;
    const visible = lastVisible - first;
    if (visible >= max) {
      start = first;
      end = first + max;
    } else {
      const spare = max - visible;
      start = Math.max(start, first - Math.floor(spare / 2));
      end = Math.min(end, start + max);
      start = Math.max(0, Math.min(start, end - max));
    }
  }
  end = Math.min(end, n);
  return { start, end, padTop: idx.offset(start), padBottom: total - idx.offset(end) };
}

/** What a virtual list gives its row measurer: where heights go, and what to do when one changed. */
export interface MeasureTarget {
  /** Measured heights by row key (kept across re-renders). */
  heights(): Map<string, number>;
  /** The row index of each key, as rendered now. */
  keyIndex(): Map<string, number>;
  /** The list's height index, as rendered now. */
  index(): HeightIndex;
  /** Some row's height changed: keep the anchor and re-apply the scroll. */
  changed(): void;
}

/**
 * One ResizeObserver for every rendered row of a virtual list. `measure` is a Svelte action
 * (`use:m.measure={row.key}`); `disconnect` ends it when the list goes.
 */
export function rowMeasurer(t: MeasureTarget) {
  let ro: ResizeObserver | null = null;
  function observer(): ResizeObserver | null {
    if (ro || typeof ResizeObserver === "undefined") return ro;
    ro = new ResizeObserver((entries) => {
      let changed = false;
      const heights = t.heights();
      const keyIndex = t.keyIndex();
      const index = t.index();
      for (const e of entries) {
        const el = e.target as HTMLElement;
        const key = el.dataset.rowKey;
        if (!key) continue;
        const h = e.borderBoxSize?.[0]?.blockSize ?? el.offsetHeight;
        if (!h) continue;
        heights.set(key, h);
        const i = keyIndex.get(key);
        if (i !== undefined && Math.abs(index.height(i) - h) > 0.5) {
          index.set(i, h);
          changed = true;
        }
      }
      if (changed) t.changed();
    });
    return ro;
  }
  return {
    measure(node: HTMLElement, key: string) {
      node.dataset.rowKey = key;
      observer()?.observe(node);
      return {
        update(k: string) {
          node.dataset.rowKey = k;
        },
        destroy() {
          ro?.unobserve(node);
        },
      };
    },
    disconnect() {
      ro?.disconnect();
    },
  };
}
