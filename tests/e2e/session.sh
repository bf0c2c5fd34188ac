#!/usr/bin/env bash
# Inside `xvfb-run … dbus-run-session` (see scripts/e2e.sh): a Secret Service
# (gnome-keyring, for the app's OS keychain), a notification server (dunst)
# with every Notify call recorded by dbus-monitor, and tauri-driver; then the
# end-to-end tests (W3MQ_DRIVER_URL tells them where the driver listens).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

printf '%s' "w3mq-e2e-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export W3MQ_NOTIFY_LOG=$HOME/notify.log
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$W3MQ_NOTIFY_LOG" 2>&1 &
monitor=$!
dunst >"$HOME/dunst.log" 2>&1 &
dunst_pid=$!
# Free ports, so that runs side by side (or a stray driver) never share a driver.
read -r port native_port < <(.venv/bin/python -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
export W3MQ_DRIVER_URL=http://127.0.0.1:$port
.tools/bin/tauri-driver --port "$port" --native-port "$native_port" >"$HOME/tauri-driver.log" 2>&1 &
driver=$!
cleanup() { kill "$driver" "$dunst_pid" "$monitor" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$driver" 2>/dev/null || { cat "$HOME/tauri-driver.log" >&2; echo "tauri-driver exited" >&2; exit 1; }
  sleep 0.1
done

set +e
.venv/bin/pytest -q -p no:cacheprovider tests/e2e "$@"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "--- tauri-driver log (tail) ---" >&2; tail -n 40 "$HOME/tauri-driver.log" >&2
fi
exit "$rc"
