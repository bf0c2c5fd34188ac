#!/usr/bin/env bash
# The server benchmark: w3mq-server (release build) against Mosquitto, in one run,
# on this machine. See crates/w3mq-bench/src/main.rs for what is measured.
#
#   bash scripts/bench.sh [extra w3mq-bench arguments, e.g. --only latency]
#
# W3MQ_SERVER_BIN=/path/to/w3mq-server benchmarks another server binary (for
# example a patched build) instead of this tree's release build.
#
# Builds w3mq-server and w3mq-bench (release), installs Debian's mosquitto if it
# is missing, raises the open-files limit, runs the bench, prints a markdown
# report and writes it to target/bench-server.md (raw figures:
# target/bench-server.json). Every broker is started by the bench itself on free
# loopback ports and stopped afterwards; the system mosquitto service is not used.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found"

if [ "$(id -u)" -eq 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  as_root() { sudo "$@"; }
else
  as_root() { die "need root (or sudo) to run: $*"; }
fi

# --- Mosquitto (Debian package), idempotent ---------------------------------

MOSQUITTO=/usr/sbin/mosquitto
if [ ! -x "$MOSQUITTO" ]; then
  log "installing mosquitto (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto
  # apt may have started the system service: the bench runs its own brokers.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl disable --now mosquitto.service >/dev/null 2>&1 || true
  else
    pidfile=/run/mosquitto/mosquitto.pid
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "stopping the mosquitto service that apt started"
      as_root service mosquitto stop >/dev/null 2>&1 || as_root kill "$(cat "$pidfile")" || true
    fi
    as_root update-rc.d mosquitto disable >/dev/null 2>&1 || true
  fi
fi
[ -x "$MOSQUITTO" ] || die "$MOSQUITTO is missing after installing mosquitto"

# --- open files: 10,000 connections need 10,000 descriptors on each side ----

want_nofile=65536
if ! ulimit -n "$want_nofile" 2>/dev/null; then
  hard=$(ulimit -Hn)
  ulimit -n "$hard" 2>/dev/null || true
  log "could not raise the open-files limit to $want_nofile; it is $(ulimit -n)"
fi
log "open-files limit: $(ulimit -n)"

# --- build -------------------------------------------------------------------

log "cargo build --release -p w3mq-server -p w3mq-bench"
cargo build --release -p w3mq-server -p w3mq-bench

target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
case "$target_dir" in /*) ;; *) target_dir=$ROOT/$target_dir ;; esac
out=$target_dir/bench-server.md
json=$target_dir/bench-server.json
server_bin=${W3MQ_SERVER_BIN:-$target_dir/release/w3mq-server}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# --- run ---------------------------------------------------------------------

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)
set +e
"$target_dir/release/w3mq-bench" \
  --server-bin "$server_bin" \
  --mosquitto-bin "$MOSQUITTO" \
  --json-out "$json" \
  --md-out "$body" \
  "$@" >/dev/null
rc=$?
set -e
elapsed=$(( $(date +%s) - t0 ))
[ -s "$body" ] || die "w3mq-bench wrote no report (exit $rc)"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]; then
  commit="$commit + uncommitted changes"
fi
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)

{
  echo "## w3mq-server against Mosquitto"
  echo
  echo "- Command: \`${W3MQ_SERVER_BIN:+W3MQ_SERVER_BIN=$W3MQ_SERVER_BIN }bash scripts/bench.sh${*:+ $*}\` (took ${elapsed} s, exit status $rc)"
  echo "- Date: $started (load average before the run: $load_before)"
  echo "- Machine: $(nproc) CPUs ($model), $mem RAM, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
  if [ -n "${W3MQ_SERVER_BIN:-}" ]; then
    echo "- w3mq-server: \`$server_bin\` (W3MQ_SERVER_BIN), run with \`--rate-per-sec 0 --rest-rate-per-sec 0\`"
  else
    echo "- w3mq-server: release build of $commit, run with \`--rate-per-sec 0 --rest-rate-per-sec 0\`"
  fi
  echo "  (no per-user message rate limit and no REST rate limit, so that neither throttles the bench)"
  echo "- Mosquitto: $("$MOSQUITTO" -h 2>/dev/null | head -n1 || true) (Debian package), one TCP and one"
  echo "  \`protocol websockets\` listener on loopback, \`allow_anonymous true\`, \`persistence false\`"
  echo "- Client: \`w3mq-bench\` (rumqttc 0.25, MQTT 3.1.1, TCP_NODELAY, QoS 1) in one tokio process on the same"
  echo "  machine as the broker: the two share the CPUs. Every broker is a fresh process per measurement."
  echo "- Latency: closed loop per sender (publish, wait for the own copy, next); all senders in one room"
  echo "  (w3mq-server: publish on \`msg/<own id>\`, ACK = own copy on \`chat/<room>\`, matched by \`client_msg_id\`;"
  echo "  Mosquitto: publish on the topic every sender subscribes to, ACK = own copy). Each message reaches every sender."
  echo "- Fan-out: members sign in over REST (SIWE), one group room (\`POST /rooms\` with 499, then"
  echo "  \`POST /rooms/<id>/members\`), each member subscribed to \`chat/<room>\`; one warm-up message must reach all"
  echo "  before one member publishes the measured messages as fast as QoS 1 allows. Mosquitto: same over one topic."
  echo "- Memory: VmRSS of the broker before and after opening the idle connections (authenticated, each subscribed"
  echo "  to \`notification/<user id>\`), over WebSocket and, for comparison, over TCP; w3mq-server connections reuse"
  echo "  the tokens of fewer accounts with distinct client ids. At the first connection that fails the bench opens no"
  echo "  more, and the RSS for all of them is extrapolated from the ones that are up (as the table says)."
  echo "- CPU columns: CPU time of the broker, of the bench client and of every other process on the machine during"
  echo "  the measured part, as a share of one CPU (200% = both CPUs). Other CPU above a few % means the machine"
  echo "  was not quiet and the figure is disturbed. The bench waits up to 120 s for a quiet machine before each broker"
  echo "  and measures a latency or fan-out figure again (up to 3 times, keeping the least disturbed run) when other"
  echo "  processes used more than 25% of a CPU during it."
  echo
  cat "$body"
} >"$out"

cat "$out"
log "wrote $out and $json"
exit "$rc"
