#!/usr/bin/env bash
# Sets everything up and runs w3mq-server on this machine, in the foreground.
# Its data (SQLite database, token key) lives in .w3mq-data/ (git-ignored).
# Stop it with Ctrl-C: it finishes the messages it accepted, then exits.
#
#   bash scripts/run.sh [extra w3mq-server flags, e.g. --http 0.0.0.0:8780]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
printf '\n==> cargo build --release -p w3mq-server\n'
cargo build --release -p w3mq-server
mkdir -p .w3mq-data
printf '\n==> starting w3mq-server (data in .w3mq-data/); Ctrl-C stops it\n'
exec "${CARGO_TARGET_DIR:-target}/release/w3mq-server" --data-dir .w3mq-data "$@"
