"""DOM of the message list while scrolling up a long room (scripts/bench-desktop.sh, measure 3).

Run inside the benchmark's session (Xvfb, D-Bus, an unlocked gnome-keyring holding the
fixture account's token) with tauri-driver listening (`--driver URL`, by default 127.0.0.1:4444):

    .venv/bin/python tests/bench/desktop_dom.py --app target/release/w3mq-desktop \
        --data-dir DIR --room ROOM_ID --pages 150

Opens ROOM_ID (the fixture's 100,000-message room) in the real app, then, page after page,
sets the list's scrollTop to 0 and waits until the older page is loaded (the list's
`data-first-seq` falls) and laid out (two animation frames), and counts the
`[data-testid="message"]` nodes and all the elements inside the list; then goes back down
the same way to the newest message (the pages dropped on the way up load again). Sums the
PSS of the app's processes (the app and its WebKit children) before, every 25 pages, at the
top and back at the bottom: with far pages dropped it stays flat.
Prints one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pss  # noqa: E402
from app_driver import open_app  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

COUNT_JS = """
const list = document.querySelector('[data-testid="message-list"]');
if (!list) return null;
return {
  rows: Number(list.dataset.rows || 0),
  rendered: Number(list.dataset.rendered || 0),
  messages: list.querySelectorAll('[data-testid="message"]').length,
  list_nodes: list.getElementsByTagName('*').length,
  doc_nodes: document.getElementsByTagName('*').length,
  scroll_height: list.scrollHeight,
};
"""

# Scrolls to one end (arguments[1]: "up" to the top, "down" to the bottom), waits for the
# next page there (the list's data-first-seq falls, or data-last-seq rises: the loaded rows
# stay bounded, far pages are dropped) and two frames, and reports how long that took
# (performance.now(), in the page).
PAGE_JS = """
const done = arguments[arguments.length - 1];
const timeoutMs = arguments[0];
const up = arguments[1] === "up";
const list = document.querySelector('[data-testid="message-list"]');
const edge = () => Number(up ? list.dataset.firstSeq : list.dataset.lastSeq);
const before = edge();
const t0 = performance.now();
list.scrollTop = up ? 0 : list.scrollHeight;
list.dispatchEvent(new Event('scroll'));
function check() {
  const now = edge();
  if (up ? now < before : now > before) {
    requestAnimationFrame(() => requestAnimationFrame(() =>
      done({ ms: performance.now() - t0, rows: Number(list.dataset.rows || 0) })));
  } else if (performance.now() - t0 > timeoutMs) {
    done({ ms: null, rows: Number(list.dataset.rows || 0) });
  } else {
    setTimeout(check, 5);
  }
}
check();
"""


def app_pss_mb(app: Path) -> float | None:
    """PSS of the app process running `app` and all its descendants, in MB."""
    pid = pss.find_exe(app)
    return pss.tree(pid)["total_mb"] if pid else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True, type=Path)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--room", required=True)
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--driver", default="http://127.0.0.1:4444")
    a = ap.parse_args()

    d = open_app(a.app, a.data_dir, a.driver)
    try:
        d.set_script_timeout(60)
        deadline = time.monotonic() + 60
        sel = f'[data-testid="room-item"][data-room-id="{a.room}"]'
        while not d.find_elements(By.CSS_SELECTOR, sel):
            if time.monotonic() > deadline:
                raise SystemExit(f"room {a.room} not in the room list")
            time.sleep(0.1)
        d.find_element(By.CSS_SELECTOR, sel).click()
        t0 = time.monotonic()
        while True:
            c = d.execute_script(COUNT_JS)
            if c and c["messages"] > 0:
                break
            if time.monotonic() - t0 > 30:
                raise SystemExit("the room's messages never showed")
            time.sleep(0.05)
        open_ms = (time.monotonic() - t0) * 1000
        time.sleep(1.0)
        first = d.execute_script(COUNT_JS)
        pss_before = app_pss_mb(a.app)
        peak = dict(first)
        times: list[float] = []
        pss_samples: list[float] = []

        def scroll(way: str, pages: int) -> int:
            """Up to `pages` pages towards one end; returns how many loaded."""
            got = missed = 0
            while got < pages:
                r = d.execute_async_script(PAGE_JS, 10_000, way)
                if r["ms"] is None:
                    missed += 1
                    if missed >= 3:
                        print(f"{way} page {got}: no page after 3 tries", file=sys.stderr)
                        break
                    continue
                got += 1
                times.append(r["ms"])
                c = d.execute_script(COUNT_JS)
                for k in ("rows", "messages", "list_nodes", "doc_nodes", "rendered"):
                    peak[k] = max(peak[k], c[k])
                if got % 25 == 0:
                    mb = app_pss_mb(a.app)
                    if mb:
                        pss_samples.append(round(mb, 1))
                    print(f"  {way} page {got}: rows {c['rows']}, {c['messages']} message nodes, "
                          f"{c['list_nodes']} list nodes, {r['ms']:.0f} ms, PSS {mb and round(mb)} MB",
                          file=sys.stderr)
            return got

        up = scroll("up", a.pages)
        at_top = d.execute_script(COUNT_JS)
        pss_top = app_pss_mb(a.app)
        # Back down to the newest message: the pages dropped on the way up load again.
        down = scroll("down", up + 10)
        last = d.execute_script(COUNT_JS)
        pss_after = app_pss_mb(a.app)
        times_sorted = sorted(times)

        def pct(p: float) -> float | None:
            if not times_sorted:
                return None
            return round(times_sorted[min(len(times_sorted) - 1, round((len(times_sorted) - 1) * p))], 1)

        print(json.dumps({
            "open_room_ms": round(open_ms, 1),
            "pages": len(times),
            "pages_up": up,
            "pages_down": down,
            "rows_loaded": peak["rows"],
            "first": first,
            "at_top": at_top,
            "last": last,
            "max_message_nodes": peak["messages"],
            "max_list_nodes": peak["list_nodes"],
            "max_doc_nodes": peak["doc_nodes"],
            "max_rendered_rows": peak["rendered"],
            "page_ms_median": round(statistics.median(times), 1) if times else None,
            "page_ms_p95": pct(0.95),
            "page_ms_max": pct(1.0),
            "page_ms_first10_median": round(statistics.median(times[:10]), 1) if times else None,
            "page_ms_last10_median": round(statistics.median(times[-10:]), 1) if times else None,
            "pss_mb_before_scroll": round(pss_before, 1) if pss_before else None,
            "pss_mb_at_top": round(pss_top, 1) if pss_top else None,
            "pss_mb_after_scroll": round(pss_after, 1) if pss_after else None,
            "pss_mb_samples": pss_samples,
        }))
    finally:
        d.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
