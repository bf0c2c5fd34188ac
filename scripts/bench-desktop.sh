#!/usr/bin/env bash
# Desktop benchmarks (issue 4; docs/benchmarks.md, "Desktop app"):
#   1. start to a painted room list with a 1,000,000-message cache (release app, server stopped);
#   2. PSS of the app's processes idle after that start, against the same binary with --blank;
#   3. DOM nodes and PSS of the message list while scrolling a 100,000-message room up and back;
#   4. size of the .deb, its installed size and contents;
#   5. the longest main-thread stall while 10,000 messages over 50 rooms land (online), against
#      the same probe idle.
# One command: `bash scripts/bench-desktop.sh`. Needs `bash scripts/setup.sh` (Debian packages,
# ui/node_modules, .tools/bin/tauri-driver, .venv). Builds the UI, the .deb (`tauri build --bundles
# deb`, which also builds target/release/w3mq-desktop), a release w3mq-server, desktop-fixture and
# desktop-burst.
# Results: target/bench-desktop/results.json and results.md.
# Knobs: W3MQ_BENCH_MESSAGES (1000000), W3MQ_BENCH_ROOMS (50), W3MQ_BENCH_BIG_ROOM (100000),
# W3MQ_BENCH_RUNS (start-up runs, 7), W3MQ_BENCH_MEM_ROUNDS (3), W3MQ_BENCH_PAGES (150),
# W3MQ_BENCH_BURST (10000),
# W3MQ_BENCH_NO_BUILD=1 (use the binaries and .deb already built); W3MQ_APP_BIN, W3MQ_SERVER_BIN,
# W3MQ_FIXTURE_BIN, W3MQ_BURST_BIN (other binaries than target/release's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
target_dir=${CARGO_TARGET_DIR:-$repo/target}
case "$target_dir" in /*) ;; *) target_dir=$repo/$target_dir ;; esac
app=${W3MQ_APP_BIN:-$target_dir/release/w3mq-desktop}
server=${W3MQ_SERVER_BIN:-$target_dir/release/w3mq-server}
fixture=${W3MQ_FIXTURE_BIN:-$target_dir/release/desktop-fixture}
burst_bin=${W3MQ_BURST_BIN:-$target_dir/release/desktop-burst}
out=$target_dir/bench-desktop

messages=${W3MQ_BENCH_MESSAGES:-1000000}
rooms=${W3MQ_BENCH_ROOMS:-50}
big_room=${W3MQ_BENCH_BIG_ROOM:-100000}
runs=${W3MQ_BENCH_RUNS:-7}
mem_rounds=${W3MQ_BENCH_MEM_ROUNDS:-3}
pages=${W3MQ_BENCH_PAGES:-150}
burst=${W3MQ_BENCH_BURST:-10000}

log() { echo "bench-desktop: $*" >&2; }

# ---------------------------------------------------------------------------
# Inside xvfb-run + dbus-run-session, with a private HOME (see the end of the file).
# ---------------------------------------------------------------------------

# Sums PSS over a process and its descendants: prints the JSON of tests/bench/pss.py.
pss_tree() { python3 tests/bench/pss.py "$1"; }

# Ends a process and everything below it (children first), and waits for it.
kill_tree() {
  local root=$1 pids
  pids=$(python3 -c 'import sys; sys.path.insert(0, "tests/bench"); import pss; print(" ".join(map(str, reversed(pss.descendants(int(sys.argv[1]))))))' "$root")
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$root" 2>/dev/null || break; sleep 0.1; done
  kill -KILL $pids 2>/dev/null || true
  wait "$root" 2>/dev/null || true
}

# Starts w3mq-server on REST port $2 with data in $1/server (extra flags after), waits for its
# ready line; sets srv_pid, srv_http, srv_mqtt.
start_server() {
  local work=$1 port=$2 ready=""
  shift 2
  "$server" --http "127.0.0.1:$port" --mqtt-tcp 127.0.0.1:0 --chat-listen 127.0.0.1:0 \
    --data-dir "$work/server" "$@" >"$work/server.out" 2>"$work/server.err" &
  srv_pid=$!
  for _ in $(seq 1 300); do
    ready=$(grep -m1 '^w3mq-server ready ' "$work/server.out" || true)
    [ -n "$ready" ] && break
    kill -0 "$srv_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$ready" ] || { log "no ready line from w3mq-server"; exit 1; }
  srv_http=$(tr ' ' '\n' <<<"$ready" | sed -n 's/^http=//p')
  srv_mqtt=$(tr ' ' '\n' <<<"$ready" | sed -n 's/^mqtt=//p')
}

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

session() {
  local work=$HOME/work
  mkdir -p "$work" "$out"
  printf '%s' "w3mq-bench-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null

  # The fixture: sign-in against a real server, rooms, then the 1M-message cache. The REST
  # port stays the same for the burst's second start (the account remembers its URLs).
  log "server + fixture ($messages messages, $rooms rooms, $big_room in the 1v1 room)"
  local http_port
  http_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  start_server "$work" "$http_port"
  local http=$srv_http mqtt=$srv_mqtt srv=$srv_pid
  "$fixture" --data-dir "$work/app" --http "$http" --mqtt "$mqtt" \
    --messages "$messages" --rooms "$rooms" --big-room "$big_room" | tail -n 1 >"$out/fixture.json"
  # The app starts offline, from its cache: the server is stopped for every measure.
  kill -TERM "$srv"; wait "$srv" || true
  local room
  room=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["big_room"])' "$out/fixture.json")

  # 1. Start-up: one warm-up run of each (WebKit's caches in the new HOME), then $runs runs of the
  # app and of the same binary with --blank (the same window, a blank page: its load is its first
  # paint), alternating, so the baseline shares the machine's state of the moment.
  log "start-up: 1 warm-up + $runs runs, app and --blank alternating"
  : >"$out/startup.txt"
  : >"$out/startup-blank.txt"
  : >"$work/app-start.log"
  local i t0 line t1 kind file
  for i in $(seq 0 "$runs"); do
    for kind in app blank; do
      file="$out/startup.txt"; extra=()
      [ "$kind" = blank ] && { file="$out/startup-blank.txt"; extra=(--blank); }
      t0=$(date +%s%N)
      line=$(W3MQ_EXIT_AFTER_PAINT=1 timeout 120 "$app" "${extra[@]}" --data-dir "$work/app" 2>>"$work/app-start.log" \
        | grep -m1 'first-paint' || true)
      t1=$(date +%s%N)
      [ -n "$line" ] || { log "run $i ($kind): no first-paint line"; tail -n 20 "$work/app-start.log" >&2; exit 1; }
      # In-process ms (since the start of main), and exec to exit as the shell sees it.
      echo "$i ${line##*ms=} $(( (t1 - t0) / 1000000 ))" >>"$file"
      log "  run $i $kind: ${line##*ms=} ms (exec to exit $(( (t1 - t0) / 1000000 )) ms)"
      sleep 1
    done
  done
  # The app's marks of every run (setup, page load, boot, paint), for the split.
  grep -E 'startup|room list painted|blank page painted' "$work/app-start.log" | sed 's/\x1b\[[0-9;]*m//g' >"$out/startup-marks.log" || true

  # 2. Idle memory: the app after its first paint + 10 s, then --blank after 15 s; $mem_rounds rounds.
  log "idle memory: $mem_rounds rounds of app and --blank"
  : >"$out/memory.jsonl"
  local kind pid
  for i in $(seq 1 "$mem_rounds"); do
    for kind in app blank; do
      : >"$work/mem.log"
      if [ "$kind" = app ]; then
        W3MQ_LOG=info "$app" --data-dir "$work/app" >/dev/null 2>"$work/mem.log" &
        pid=$!
        for _ in $(seq 1 600); do
          grep -q 'room list painted' "$work/mem.log" && break
          sleep 0.1
        done
        grep -q 'room list painted' "$work/mem.log" || { log "no first paint"; tail -n 20 "$work/mem.log" >&2; exit 1; }
        sleep 10
      else
        W3MQ_LOG=info "$app" --blank --data-dir "$work/app" >/dev/null 2>"$work/mem.log" &
        pid=$!
        sleep 15
      fi
      kill -0 "$pid" || { log "$kind exited"; tail -n 20 "$work/mem.log" >&2; exit 1; }
      echo "{\"kind\": \"$kind\", \"round\": $i, \"pss\": $(pss_tree "$pid")}" >>"$out/memory.jsonl"
      log "  $kind: $(pss_tree "$pid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_mb"])') MB"
      kill_tree "$pid"
      sleep 1
    done
  done

  # 3. DOM while scrolling the 1v1 room up, through tauri-driver.
  log "DOM: $pages pages of the $big_room-message room"
  # Free ports, not 4444: another session's tauri-driver (tests, CI) may hold that one.
  local port native
  read -r port native < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  .tools/bin/tauri-driver --port "$port" --native-port "$native" >"$work/tauri-driver.log" 2>&1 &
  local driver=$!
  wait_port "$port" || { cat "$work/tauri-driver.log" >&2; exit 1; }
  kill -0 "$driver" 2>/dev/null || { cat "$work/tauri-driver.log" >&2; exit 1; }
  local rc=0
  .venv/bin/python tests/bench/desktop_dom.py --app "$app" --data-dir "$work/app" --room "$room" \
    --pages "$pages" --driver "http://127.0.0.1:$port" >"$out/dom.json" || rc=$?
  [ "$rc" -eq 0 ] || { kill_tree "$driver"; log "DOM measure failed"; tail -n 30 "$work/tauri-driver.log" >&2; exit "$rc"; }

  # 5. A burst of $burst messages over the rooms while the app is online: the server again, on
  # the same port, without its per-user send limit (the measure is the app's, not the limiter's).
  log "burst: $burst messages over $rooms rooms, the longest main-thread stall"
  # The fixture's history is only in the app's cache: the server's rooms continue its seqs, so
  # that the burst's messages are the next ones (not taken for ones the cache has).
  python3 - "$work/server/w3mq.sqlite3" "$work/app" <<'PY'
import glob, sqlite3, sys
server, app = sys.argv[1:3]
cache = sqlite3.connect(glob.glob(f"{app}/accounts/*/cache.sqlite3")[0])
seqs = cache.execute("SELECT room_id, synced_seq FROM rooms").fetchall()
db = sqlite3.connect(server)
db.executemany("UPDATE rooms SET last_seq = MAX(last_seq, ?) WHERE room_id = ?", [(s, r) for r, s in seqs])
db.commit()
PY
  start_server "$work" "$http_port" --rate-per-sec 0 --rest-rate-per-sec 0
  local ids key
  ids=$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["room_ids"]))' "$out/fixture.json")
  key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["peer_key"])' "$out/fixture.json")
  W3MQ_BURST_KEY=$key .venv/bin/python tests/bench/desktop_burst.py --app "$app" --data-dir "$work/app" \
    --driver "http://127.0.0.1:$port" --messages "$burst" -- \
    "$burst_bin" --http "$srv_http" --mqtt "$srv_mqtt" --rooms "$ids" --messages "$burst" \
    >"$out/burst.json" || rc=$?
  kill -TERM "$srv_pid"; wait "$srv_pid" || true
  kill_tree "$driver"
  [ "$rc" -eq 0 ] || { log "burst measure failed"; tail -n 30 "$work/tauri-driver.log" >&2; exit "$rc"; }
  du -sb "$work/app" | cut -f1 >"$out/data-dir-bytes.txt"
}

deb_report() {
  # 4. The .deb.
  version=$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')
  deb=$(ls -t "$target_dir"/release/bundle/deb/*_"${version}"_*.deb | head -n 1)
  dpkg-deb -c "$deb" >"$out/deb-contents.txt"
  python3 - "$deb" "$app" "$out" "$repo" <<'EOF'
import json, os, re, subprocess, sys
deb, app, out, repo = sys.argv[1:5]
field = lambda f: subprocess.run(["dpkg-deb", "-f", deb, f], capture_output=True, text=True).stdout.strip()
paths = [line.split()[-1].removeprefix("./") for line in open(f"{out}/deb-contents.txt")]
has = lambda pat: [p for p in paths if re.fullmatch(pat, p)]
json.dump({
    "path": os.path.relpath(deb, repo), "bytes": os.path.getsize(deb),
    "installed_kib": int(field("Installed-Size")), "depends": field("Depends"),
    "binary_bytes": os.path.getsize(app),
    "binary": has(r"usr/bin/w3mq-desktop"),
    "desktop_entry": has(r"usr/share/applications/.*\.desktop"),
    "icons": has(r"usr/share/icons/hicolor/.*\.png"),
}, open(f"{out}/deb.json", "w"), indent=1)
EOF
  log "deb: $deb"
}

summary() {
# The summary.
python3 - "$out" <<'EOF'
import json, os, platform, statistics, subprocess, sys
out = sys.argv[1]
fix = json.load(open(f"{out}/fixture.json"))
runs = [line.split() for line in open(f"{out}/startup.txt")]
warm, meas = runs[0], runs[1:]
ms = sorted(float(r[1]) for r in meas)
wall = sorted(float(r[2]) for r in meas)
bruns = [line.split() for line in open(f"{out}/startup-blank.txt")][1:]
bms = sorted(float(r[1]) for r in bruns)
mem = [json.loads(line) for line in open(f"{out}/memory.jsonl")]
app = sorted(m["pss"]["total_mb"] for m in mem if m["kind"] == "app")
blank = sorted(m["pss"]["total_mb"] for m in mem if m["kind"] == "blank")
app_uss = sorted(m["pss"].get("uss_mb", 0) for m in mem if m["kind"] == "app")
blank_uss = sorted(m["pss"].get("uss_mb", 0) for m in mem if m["kind"] == "blank")
dom = json.load(open(f"{out}/dom.json"))
burst = json.load(open(f"{out}/burst.json"))
deb = json.load(open(f"{out}/deb.json"))
cpu = next((l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines() if l.startswith("Model name")), "?")
res = {
    "machine": {"cpu": cpu, "cores": os.cpu_count(), "os": open("/etc/debian_version").read().strip(), "kernel": platform.release(), "loadavg": open("/proc/loadavg").read().split()[:3]},
    "fixture": fix,
    "startup_ms": {"warmup": float(warm[1]), "runs": [float(r[1]) for r in meas], "min": ms[0], "median": statistics.median(ms), "max": ms[-1]},
    "startup_exec_to_exit_ms": {"min": wall[0], "median": statistics.median(wall), "max": wall[-1]},
    "startup_blank_ms": {"runs": [float(r[1]) for r in bruns], "min": bms[0], "median": statistics.median(bms), "max": bms[-1]},
    "startup_over_blank_ms": round(statistics.median(ms) - statistics.median(bms), 1),
    "memory_pss_mb": {"app": app, "blank": blank, "app_median": statistics.median(app), "blank_median": statistics.median(blank), "ratio": round(statistics.median(app) / statistics.median(blank), 2),
                      "uss_app_median": statistics.median(app_uss), "uss_blank_median": statistics.median(blank_uss),
                      "uss_ratio": round(statistics.median(app_uss) / max(statistics.median(blank_uss), 0.1), 2), "rounds": mem},
    "dom": dom,
    "burst": burst,
    "deb": deb,
    "data_dir_bytes": int(open(f"{out}/data-dir-bytes.txt").read()),
}
json.dump(res, open(f"{out}/results.json", "w"), indent=1)
s, m = res["startup_ms"], res["memory_pss_mb"]
lines = [
    f"machine: {cpu}, {res['machine']['cores']} cores, Debian {res['machine']['os']}, load {' '.join(res['machine']['loadavg'])}",
    f"fixture: {fix['messages']} messages in {fix['rooms']} rooms, cache {fix['cache_bytes']/1e6:.0f} MB",
    f"1. first paint: min {s['min']:.0f} / median {s['median']:.0f} / max {s['max']:.0f} ms over {len(ms)} runs (warm-up {s['warmup']:.0f} ms; exec to exit median {res['startup_exec_to_exit_ms']['median']:.0f} ms); --blank: min {bms[0]:.0f} / median {statistics.median(bms):.0f} / max {bms[-1]:.0f} ms; app - blank (medians) {res['startup_over_blank_ms']:.0f} ms",
    f"2. idle PSS: app {m['app_median']:.0f} MB, --blank {m['blank_median']:.0f} MB, ratio {m['ratio']} (app {m['app']}, blank {m['blank']})" + (f"; USS {m['uss_app_median']:.0f} / {m['uss_blank_median']:.0f} MB, ratio {m['uss_ratio']}" if m['uss_app_median'] else ""),
    f"3. DOM: {dom['pages_up']} pages up, {dom['pages_down']} back down (at most {dom['rows_loaded']} rows loaded): max {dom['max_message_nodes']} message nodes, {dom['max_list_nodes']} list nodes, {dom['max_doc_nodes']} document nodes; page median {dom['page_ms_median']} ms, p95 {dom['page_ms_p95']} ms, max {dom['page_ms_max']} ms; PSS {dom['pss_mb_before_scroll']} -> {dom['pss_mb_at_top']} at the top -> {dom['pss_mb_after_scroll']} MB back down (every 25 pages: {dom['pss_mb_samples']})",
    f"4. .deb: {deb['bytes']/1e6:.2f} MB ({deb['bytes']/2**20:.2f} MiB), installed {deb['installed_kib']} KiB; {deb['path']}",
    f"5. burst: {burst['landed']} of {burst['messages']} messages over {burst['rooms']} rooms landed in {burst['landed_secs']} s (published in {burst['publish_secs']} s); longest main-thread stall {burst['longest_stall_ms']} ms (idle {burst['longest_stall_idle_ms']} ms), timer lateness p99 {burst['timer_late_ms']['burst'].get('p99')} ms (idle {burst['timer_late_ms']['idle'].get('p99')}); frame gap max {burst['raf_gap_ms']['burst'].get('max')} ms, p99 {burst['raf_gap_ms']['burst'].get('p99')} (idle {burst['raf_gap_ms']['idle'].get('max')} / {burst['raf_gap_ms']['idle'].get('p99')}); PSS {burst['pss_mb_before']} -> {burst['pss_mb_after']} MB",
]
open(f"{out}/results.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
}

if [ "${1:-}" = "--session" ]; then
  session
  exit 0
fi
if [ "${1:-}" = "--report" ]; then
  # The .deb's figures and the summary of a session already run.
  deb_report
  summary
  exit 0
fi

# ---------------------------------------------------------------------------
# Builds, the .deb, then the session.
# ---------------------------------------------------------------------------
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.jsonl "$out"/*.txt "$out"/results.md
if [ -z "${W3MQ_BENCH_NO_BUILD:-}" ]; then
  log "building the UI and the .deb (also target/release/w3mq-desktop)"
  (cd ui && npm run build)
  npx --prefix ui tauri build --bundles deb 2>&1 | tee "$out/tauri-build.log"
  log "building w3mq-server and desktop-fixture (release)"
  cargo build --release -p w3mq-server -p w3mq-bench --bins
fi
for b in "$app" "$server" "$fixture" "$burst_bin"; do
  [ -x "$b" ] || { log "$b is missing (run without W3MQ_BENCH_NO_BUILD)"; exit 1; }
done

deb_report

# 1-3 in a private session: Xvfb, D-Bus, gnome-keyring, a new HOME.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME=$home XDG_RUNTIME_DIR=$home xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- bash "$repo/scripts/bench-desktop.sh" --session

summary
