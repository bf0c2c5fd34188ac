#!/usr/bin/env bash
# Inside `xvfb-run … dbus-run-session` (see scripts/e2e.sh): a Secret Service
# (gnome-keyring, for the app's OS keychain), a notification server (dunst)
# with every Notify call recorded by dbus-monitor; then the end-to-end tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

printf '%s' "w3mq-e2e-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export W3MQ_NOTIFY_LOG=$HOME/notify.log
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$W3MQ_NOTIFY_LOG" 2>&1 &
monitor=$!
dunst >"$HOME/dunst.log" 2>&1 &
dunst_pid=$!
# tauri-driver is started (and, when a session never comes up, restarted) by conftest.py's
# `Driver`, its log in $HOME/tauri-driver.log.
cleanup() { kill "$dunst_pid" "$monitor" 2>/dev/null || true; }
trap cleanup EXIT

set +e
.venv/bin/pytest -q -p no:cacheprovider tests/e2e "$@"
rc=$?
if [ "$rc" -ne 0 ] && [ -f "$HOME/tauri-driver.log" ]; then
  echo "--- tauri-driver log (tail) ---" >&2; tail -n 40 "$HOME/tauri-driver.log" >&2
fi
exit "$rc"
