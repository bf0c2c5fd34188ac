#!/usr/bin/env bash
# The project's test command: setup; the UI's build, type check and unit
# tests; format, lints, build and Rust tests (the bindings check among them);
# the Python interop tests (Paho against the real server binary); and the
# end-to-end tests of the desktop app in a real WebView under Xvfb.
# Stops at the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup (scripts/setup.sh)"
bash scripts/setup.sh
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

step "ui: npm run build (type check + vite build to ui/dist, which the app embeds)"
(cd ui && npm run build --silent)
step "ui: npm test (vitest)"
(cd ui && npm test --silent)

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo deny check bans licenses sources (deny.toml says why not advisories)"
.tools/bin/cargo-deny check bans licenses sources

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build --workspace --bins"
cargo build --workspace --bins

if cargo nextest --version >/dev/null 2>&1; then
  step "cargo nextest run --workspace"
  cargo nextest run --workspace --no-tests=warn
  step "cargo test --workspace --doc"
  cargo test --workspace --doc
else
  step "cargo test --workspace"
  cargo test --workspace
fi

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
case "$target_dir" in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
export W3MQ_SERVER_BIN=$target_dir/debug/w3mq-server
step "pytest tests/interop (W3MQ_SERVER_BIN=$W3MQ_SERVER_BIN)"
.venv/bin/pytest -q -p no:cacheprovider tests/interop

export W3MQ_APP_BIN=$target_dir/debug/w3mq-desktop
step "end-to-end tests (scripts/e2e.sh: tauri-driver + WebKitWebDriver under Xvfb)"
bash scripts/e2e.sh

# No trailing output: the pytest summary stays the last line, for whoever reads the run.
