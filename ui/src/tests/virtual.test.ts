import { describe, expect, it } from "vitest";
import { computeWindow, HeightIndex, MAX_RENDERED } from "../lib/virtual";

function naiveOffset(h: number[], i: number): number {
  let s = 0;
  for (let j = 0; j < i; j++) s += h[j];
  return s;
}

describe("HeightIndex", () => {
  it("keeps prefix sums and finds the item at y, through updates", () => {
    const h = Array.from({ length: 1000 }, (_, i) => 20 + ((i * 37) % 50));
    const idx = new HeightIndex(h);
    for (const i of [0, 1, 2, 17, 500, 999, 1000]) expect(idx.offset(i)).toBe(naiveOffset(h, i));
    idx.set(10, 300);
    h[10] = 300;
    idx.set(999, 1);
    h[999] = 1;
    expect(idx.total()).toBe(naiveOffset(h, 1000));
    for (const y of [0, 5, 299, 300, 1234, 20000, idx.total() - 1]) {
      const i = idx.indexAt(y);
      expect(naiveOffset(h, i)).toBeLessThanOrEqual(y);
      expect(naiveOffset(h, i + 1)).toBeGreaterThan(y);
    }
    expect(idx.indexAt(-5)).toBe(0);
    expect(idx.indexAt(1e12)).toBe(999);
  });

  it("is empty-safe", () => {
    const idx = new HeightIndex([]);
    expect(idx.total()).toBe(0);
    expect(computeWindow(idx, 0, 800)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe("computeWindow", () => {
  const N = 100_000;

  it("renders a small window of 100,000 items anywhere, with spacers that add up", () => {
    const idx = new HeightIndex(Array.from({ length: N }, (_, i) => 40 + (i % 5) * 12));
    const total = idx.total();
    for (const top of [0, 1000, total / 3, total / 2, total - 800, total, total + 5000]) {
      const w = computeWindow(idx, top, 800);
      expect(w.end - w.start).toBeGreaterThan(0);
      expect(w.end - w.start).toBeLessThanOrEqual(MAX_RENDERED);
      expect(w.padTop).toBe(idx.offset(w.start));
      expect(w.padTop + (idx.offset(w.end) - idx.offset(w.start)) + w.padBottom).toBeCloseTo(total, 6);
      // The viewport is covered.
      const t = Math.max(0, Math.min(top, total - 800));
      expect(idx.offset(w.start)).toBeLessThanOrEqual(t);
      expect(idx.offset(w.end)).toBeGreaterThanOrEqual(Math.min(total, t + 800));
    }
  });

  it("never exceeds the cap, even with tiny items and a huge viewport", () => {
    const idx = new HeightIndex(new Array(N).fill(1));
    for (const top of [0, 50_000, N]) {
      const w = computeWindow(idx, top, 5000, 5000);
      expect(w.end - w.start).toBeLessThanOrEqual(MAX_RENDERED);
      expect(w.end).toBeLessThanOrEqual(N);
      expect(w.start).toBeGreaterThanOrEqual(0);
    }
  });

  it("keeps the visible items when trimming the overscan", () => {
    const idx = new HeightIndex(new Array(N).fill(5));
    const w = computeWindow(idx, 100_000, 600, 2000);
    const first = idx.indexAt(100_000);
    const last = idx.indexAt(100_600);
    expect(w.start).toBeLessThanOrEqual(first);
    expect(w.end).toBeGreaterThan(last);
    expect(w.end - w.start).toBeLessThanOrEqual(MAX_RENDERED);
  });
});
