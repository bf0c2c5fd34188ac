#!/usr/bin/env bash
# End-to-end tests of the desktop app: the real binary in a real WebView,
# driven through tauri-driver + WebKitWebDriver under Xvfb, against a real
# w3mq-server. Needs `bash scripts/setup.sh` and a debug build of the app and
# the server (scripts/test.sh does both). Screenshots: target/e2e-shots/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
case "$target_dir" in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
export W3MQ_APP_BIN=${W3MQ_APP_BIN:-$target_dir/debug/w3mq-desktop}
export W3MQ_SERVER_BIN=${W3MQ_SERVER_BIN:-$target_dir/debug/w3mq-server}
export W3MQ_SHOTS=${W3MQ_SHOTS:-$target_dir/e2e-shots}
mkdir -p "$W3MQ_SHOTS"
# A private home: the keyring, the app's data and WebKit's caches start empty.
e2e_home=$(mktemp -d)
trap 'rm -rf "$e2e_home"' EXIT
HOME=$e2e_home XDG_RUNTIME_DIR=$e2e_home xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- bash tests/e2e/session.sh "$@"
