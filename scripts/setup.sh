#!/usr/bin/env bash
# Idempotent setup of a Debian 12 machine for building and testing this project.
#
#   - Debian packages: mosquitto + mosquitto-clients (the peer broker the bench
#     compares against; its system service is kept stopped and disabled, since
#     the bench starts its own), python3 + python3-venv (the interop tests),
#     and what the desktop app builds and is tested with: WebKitGTK and GTK
#     headers, webkit2gtk-driver, Xvfb, D-Bus, dunst (a notification server),
#     gnome-keyring (a Secret Service for the OS keychain), xclip (the E2E
#     tests read the X clipboard the app wrote), Node.js and npm.
#   - A Python venv at .venv/ with the pinned packages of
#     tests/interop/requirements.txt and tests/e2e/requirements.txt.
#   - The UI's npm packages (npm ci in ui/), tauri-driver and cargo-deny (in .tools/).
#   - A check that the Rust toolchain (cargo, rustfmt, clippy) is there.
#
# A second run does nothing but checks and takes about a second.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi
as_root() {
  if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
    die "need root (or sudo) to run: $*"
  fi
  "${SUDO[@]}" "$@"
}

# --- Debian packages -------------------------------------------------------

APT_PACKAGES=(mosquitto mosquitto-clients python3 python3-venv ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  libssl-dev libxdo-dev pkg-config build-essential file xvfb xauth webkit2gtk-driver
  dbus dbus-x11 dunst gnome-keyring imagemagick xclip)
# Node.js and npm: the machine's own when present (Debian 12's nodejs is too old for Vite).
if ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(nodejs npm)
fi

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done

installed_mosquitto_now=0
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${missing[*]} by hand"
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  for p in "${missing[@]}"; do
    [ "$p" = mosquitto ] && installed_mosquitto_now=1
  done
else
  log "Debian packages present: ${APT_PACKAGES[*]}"
fi

# mosquitto's system service must not hold port 1883: our bench runs its own broker.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  if [ "$(systemctl is-enabled mosquitto.service 2>/dev/null || true)" = enabled ]; then
    log "disabling and stopping the mosquitto system service"
    as_root systemctl disable --now mosquitto.service >/dev/null 2>&1 || true
  elif [ "$installed_mosquitto_now" = 1 ] && systemctl is-active --quiet mosquitto.service; then
    as_root systemctl stop mosquitto.service || true
  fi
else
  # No systemd (a container): the sysvinit script may have started it on install.
  if [ "$installed_mosquitto_now" = 1 ]; then
    pidfile=/run/mosquitto/mosquitto.pid
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "stopping the mosquitto service that apt started"
      as_root service mosquitto stop >/dev/null 2>&1 || as_root kill "$(cat "$pidfile")" || true
    fi
  fi
  if ls /etc/rc[2-5].d/S*mosquitto >/dev/null 2>&1; then
    log "disabling the mosquitto init script"
    as_root update-rc.d mosquitto disable >/dev/null 2>&1 || true
  fi
fi

# --- Python venv -----------------------------------------------------------

REQ=tests/interop/requirements.txt
REQ_E2E=tests/e2e/requirements.txt
VENV=.venv
STAMP=$VENV/.w3mq-setup-stamp

# Debian's python3 when there is one (python3-venv is for it), else the one on PATH.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || true); fi
[ -n "$PY" ] || die "python3 not found"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  die "$PY is $("$PY" -V 2>&1); the interop tests need Python 3.10 or newer"
[ -f "$REQ" ] || die "$REQ is missing"
[ -f "$REQ_E2E" ] || die "$REQ_E2E is missing"

want_stamp="$(cat "$REQ" "$REQ_E2E" | sha256sum | cut -d' ' -f1) $("$PY" -c 'import sys; print(sys.version.split()[0])')"
have_stamp=$(cat "$STAMP" 2>/dev/null || true)

if [ "$want_stamp" = "$have_stamp" ] && "$VENV/bin/python" -c 'import paho.mqtt, eth_account, requests, pytest, selenium' 2>/dev/null; then
  log "Python venv up to date: $VENV ($("$VENV/bin/python" -V 2>&1))"
else
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null ||
     [ "$("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')" != "$("$PY" -c 'import sys; print(sys.version.split()[0])')" ]; then
    log "creating Python venv $VENV with $PY"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
  fi
  log "installing $REQ and $REQ_E2E into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" -r "$REQ_E2E"
  "$VENV/bin/python" -c 'import paho.mqtt, eth_account, requests, pytest, selenium' ||
    die "the venv's packages do not import"
  printf '%s\n' "$want_stamp" >"$STAMP"
  log "Python venv ready: paho-mqtt $("$VENV/bin/python" -c 'import paho.mqtt; print(paho.mqtt.__version__)')"
fi

# --- Rust toolchain --------------------------------------------------------

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 ||
  die "cargo not found: install the Rust toolchain (rustup, https://rustup.rs) and put ~/.cargo/bin on PATH"
cargo_version=$(cargo --version) || die "'cargo --version' failed: is a default toolchain set (rustup default stable)?"
cargo fmt --version >/dev/null 2>&1 || die "rustfmt is missing: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 || die "clippy is missing: rustup component add clippy"
if cargo nextest --version >/dev/null 2>&1; then
  log "Rust toolchain: $cargo_version, $(cargo nextest --version 2>/dev/null | head -n1)"
else
  log "Rust toolchain: $cargo_version (cargo-nextest not installed: cargo test will be used)"
fi

# --- The UI's npm packages ----------------------------------------------------

if [ -f ui/package-lock.json ]; then
  lock_sum=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
  if [ "$(cat ui/node_modules/.w3mq-lock 2>/dev/null || true)" = "$lock_sum" ]; then
    log "ui/node_modules up to date"
  else
    log "npm ci in ui/"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
    printf '%s\n' "$lock_sum" >ui/node_modules/.w3mq-lock
  fi
fi

# --- tools built from crates.io into .tools/ ---------------------------------------

# install_tool NAME VERSION WHAT: `cargo install NAME@VERSION` into .tools/, once per version.
install_tool() {
  if [ -x ".tools/bin/$1" ] && [ "$(cat ".tools/.$1-version" 2>/dev/null || true)" = "$2" ]; then
    log "$1 $2 present"
  else
    log "installing $1 $2 into .tools/ ($3)"
    cargo install "$1@$2" --locked --force --root .tools --quiet
    printf '%s\n' "$2" >".tools/.$1-version"
  fi
}
install_tool tauri-driver 2.1.0 "the WebDriver server of the end-to-end tests"
install_tool cargo-deny 0.20.2 "deny.toml's dependency policy, checked by scripts/test.sh; about 3 minutes"

log "done ($ROOT)"
