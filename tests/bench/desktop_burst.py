"""The UI's longest main-thread stall while a burst lands (scripts/bench-desktop.sh, measure 5).

Run inside the benchmark's session, with the fixture's server running again (online, with
`--rate-per-sec 0`) and tauri-driver listening:

    .venv/bin/python tests/bench/desktop_burst.py --app target/release/w3mq-desktop \
        --data-dir DIR --driver URL -- target/release/desktop-burst --http … --rooms …

Starts the real app, waits until it is online with its room list, then installs two probes
in the page: the gap between animation frames (requestAnimationFrame) and how late a 10 ms
timer fires (setTimeout), both stalls of the WebView's main thread. It measures them first
for `--idle-secs` with nothing arriving (the baseline of the same run), then while the
command after `--` publishes its burst (desktop-burst: 10,000 messages over the 50 rooms),
until the app's unread total (`data-unread` of the shell, computed in Rust) has grown by
`--messages`, or has not moved for 15 s after the burst ended. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pss  # noqa: E402
from app_driver import open_app  # noqa: E402

PROBE_JS = """
const p = window.__stall = { gaps: [], late: [], t: performance.now(), on: true };
function frame(t) {
  if (!p.on) return;
  p.gaps.push(t - p.t);
  p.t = t;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
let due = performance.now() + 10;
function tick() {
  if (!p.on) return;
  const now = performance.now();
  p.late.push(Math.max(0, now - due));
  due = now + 10;
  setTimeout(tick, 10);
}
setTimeout(tick, 10);
"""

STOP_JS = """
const p = window.__stall;
p.on = false;
return { gaps: p.gaps, late: p.late };
"""

UNREAD_JS = """
const s = document.querySelector('.shell');
const b = document.querySelector('[data-testid="connection-banner"]');
return { unread: s ? Number(s.dataset.unread) : null, state: b ? b.dataset.state : null };
"""


def stats(xs: list[float]) -> dict:
    xs = sorted(xs)
    if not xs:
        return {"n": 0}

    def pct(p: float) -> float:
        return round(xs[min(len(xs) - 1, round((len(xs) - 1) * p))], 1)

    return {"n": len(xs), "max": round(xs[-1], 1), "p99": pct(0.99), "p50": pct(0.5),
            "over_50ms": sum(1 for x in xs if x > 50), "over_100ms": sum(1 for x in xs if x > 100)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True, type=Path)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--driver", default="http://127.0.0.1:4444")
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--idle-secs", type=float, default=10.0)
    ap.add_argument("burst", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.burst[1:] if a.burst[:1] == ["--"] else a.burst
    if not cmd:
        raise SystemExit("the burst command goes after --")

    d = open_app(a.app, a.data_dir, a.driver)
    try:
        d.set_script_timeout(60)
        deadline = time.monotonic() + 60
        while True:
            s = d.execute_script(UNREAD_JS)
            if s["unread"] is not None and s["state"] == "online":
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the app never came online: {s}")
            time.sleep(0.1)
        # Let the start's own work (sync, first pages) settle before the baseline.
        time.sleep(3)
        u0 = d.execute_script(UNREAD_JS)["unread"]

        d.execute_script(PROBE_JS)
        end = time.monotonic() + a.idle_secs
        while time.monotonic() < end:
            d.execute_script(UNREAD_JS)
            time.sleep(0.25)
        idle = d.execute_script(STOP_JS)

        pss_before = pss.tree(pss.find_exe(a.app))["total_mb"]
        d.execute_script(PROBE_JS)
        t0 = time.monotonic()
        burst = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        landed_s = None
        moved = time.monotonic()
        last = u0
        burst_out = None
        while True:
            u = d.execute_script(UNREAD_JS)["unread"]
            now = time.monotonic()
            if u != last:
                last, moved = u, now
            if u - u0 >= a.messages:
                landed_s = now - t0
                break
            if burst_out is None and burst.poll() is not None:
                burst_out = burst.stdout.read() if burst.stdout else ""
                if burst.returncode != 0:
                    raise SystemExit(f"the burst failed ({burst.returncode})")
            if burst_out is not None and now - moved > 15:
                break
            if now - t0 > 600:
                break
            time.sleep(0.25)
        busy = d.execute_script(STOP_JS)
        if burst_out is None:
            burst_out = burst.communicate(timeout=120)[0]
        pss_after = pss.tree(pss.find_exe(a.app))["total_mb"]
        sent = json.loads(burst_out.strip().splitlines()[-1])
        idle_raf, busy_raf = stats(idle["gaps"]), stats(busy["gaps"])
        idle_late, busy_late = stats(idle["late"]), stats(busy["late"])
        print(json.dumps({
            "messages": a.messages,
            "landed": last - u0,
            "landed_secs": round(landed_s, 2) if landed_s is not None else None,
            "publish_secs": round(sent["publish_secs"], 2),
            "rooms": sent["rooms"],
            "idle_secs": a.idle_secs,
            "raf_gap_ms": {"idle": idle_raf, "burst": busy_raf},
            "timer_late_ms": {"idle": idle_late, "burst": busy_late},
            "longest_stall_ms": busy_late.get("max"),
            "longest_stall_idle_ms": idle_late.get("max"),
            "pss_mb_before": round(pss_before, 1),
            "pss_mb_after": round(pss_after, 1),
        }))
    finally:
        d.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
