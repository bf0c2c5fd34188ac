#!/usr/bin/env bash
# Sets everything up and runs the desktop app against a local w3mq-server:
#   1. scripts/setup.sh (Debian packages, npm packages, Python venv, tauri-driver);
#   2. builds the UI and, optimized (Cargo.toml's `local` profile: release without LTO, so minutes
#      quicker), w3mq-server, the demo companion and the app;
#   3. starts w3mq-server on 127.0.0.1:8780 (data in .w3mq-data/server/);
#   4. starts the demo companion (a second account, driven by w3mq-core) that greets
#      you, posts a trade card and an item thread, mentions you and answers you;
#   5. opens the app (data in .w3mq-data/app/), proposing the local server.
# Closing the app stops the companion and the server.
#
#   bash scripts/run.sh                # the whole thing
#   bash scripts/run.sh --server-only  # just w3mq-server, in the foreground
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

# The app keeps its key in the OS keychain (the Secret Service). Without a
# session bus (a bare xvfb-run, ssh), run inside one of our own.
if [ "${1:-}" != "--server-only" ] && [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${W3MQ_RUN_IN_DBUS:-}" ]; then
  echo "run.sh: no D-Bus session; starting one for the app"
  W3MQ_RUN_IN_DBUS=1 exec dbus-run-session -- bash "$0" "$@"
fi
bash scripts/setup.sh
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
case "$target_dir" in /*) ;; *) target_dir=$ROOT/$target_dir ;; esac
mkdir -p .w3mq-data/server .w3mq-data/demo .w3mq-data/app

if [ "${1:-}" = "--server-only" ]; then
  shift
  printf '\n==> cargo build --profile local -p w3mq-server\n'
  cargo build --profile local -p w3mq-server
  printf '\n==> starting w3mq-server (data in .w3mq-data/server/); Ctrl-C stops it\n'
  exec "$target_dir/local/w3mq-server" --data-dir .w3mq-data/server "$@"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run.sh: no graphical session (DISPLAY is not set). Run it from a desktop session," >&2
  echo "        or under Xvfb: xvfb-run -a bash scripts/run.sh" >&2
  exit 1
fi

# Without a Secret Service on it (a minimal desktop, or the bus above), start
# a GNOME keyring for this run only: its keyring lives in .w3mq-data/keyring/,
# unlocked with the password "w3mq-local" (a development convenience, not a
# place for real funds: it is printed here).
has_secrets=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -c 'boolean true' || true)
if [ "$has_secrets" = 0 ]; then
  echo "run.sh: no keychain (Secret Service) runs; starting a local GNOME keyring in .w3mq-data/keyring/"
  echo "        (unlocked with the password \"w3mq-local\"; your desktop's own keychain is used when one runs)"
  mkdir -p .w3mq-data/keyring
  printf '%s' "w3mq-local" | XDG_DATA_HOME=$ROOT/.w3mq-data/keyring \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
fi

# The UI is rebuilt only when its sources changed: a fresh ui/dist makes
# cargo rebuild the app (which embeds it).
if [ ! -f ui/dist/index.html ] ||
  [ -n "$(find ui/src ui/index.html ui/package.json ui/vite.config.* ui/svelte.config.js ui/tsconfig.json -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
  printf '\n==> building the UI (ui/dist)\n'
  (cd ui && npm run build --silent)
else
  printf '\n==> the UI is up to date (ui/dist)\n'
fi
printf '\n==> cargo build --profile local (server, demo companion, app)\n'
cargo build --profile local -p w3mq-server -p w3mq-demo -p w3mq-desktop

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

printf '\n==> starting w3mq-server (data in .w3mq-data/server/, log in .w3mq-data/server.log)\n'
ready_fifo=$(mktemp -u)
mkfifo "$ready_fifo"
"$target_dir/local/w3mq-server" --data-dir .w3mq-data/server >"$ready_fifo" 2>.w3mq-data/server.log &
pids+=($!)
exec 3<"$ready_fifo"
rm -f "$ready_fifo"
if ! IFS= read -r -t 30 ready <&3; then
  echo "run.sh: w3mq-server did not start; see .w3mq-data/server.log:" >&2
  tail -n 20 .w3mq-data/server.log >&2
  exit 1
fi
echo "$ready"
http=$(sed -n 's/.* http=\([^ ]*\).*/\1/p' <<<"$ready")
mqtt=$(sed -n 's/.* mqtt=\([^ ]*\).*/\1/p' <<<"$ready")

printf '\n==> starting the demo companion (log in .w3mq-data/demo.log)\n'
"$target_dir/local/w3mq-demo" --http "$http" --mqtt "$mqtt" --data-dir .w3mq-data/demo \
  2>.w3mq-data/demo.log &
pids+=($!)

printf '\n==> opening Web3MQ Desktop (data in .w3mq-data/app/)\n'
"$target_dir/local/w3mq-desktop" --data-dir .w3mq-data/app --http "$http" --mqtt "$mqtt"
