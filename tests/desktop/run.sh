#!/usr/bin/env bash
# Runs the desktop tests against the built app in a virtual X display, one file at a time: smoke.mjs, and the
# journeys (onboarding.mjs: onboarding from a fresh database to the first sync; journeys.mjs: retrying a failed
# write, resolving a stock conflict). Build first:
#   npm --prefix ui ci && npm --prefix ui run build
#   cargo build -p tillbridge-desktop
# Needs: xvfb-run (xvfb, xauth), /usr/bin/WebKitWebDriver (webkit2gtk-driver), node >= 20, and
# tauri-driver on PATH or in $CARGO_HOME/bin (cargo install tauri-driver --locked --version 2.1.0).
# Writes screenshots to tests/artifacts/desktop-*.png. Exits non-zero when a check fails.
# The journeys start emulated stores with the tillbridge command (cargo build --bin tillbridge).
# Run one file: tests/desktop/run.sh tests/desktop/onboarding.mjs
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"

export TILLBRIDGE_DESKTOP_BIN="${TILLBRIDGE_DESKTOP_BIN:-$repo/target/debug/tillbridge-desktop}"
export WEBKIT_WEBDRIVER="${WEBKIT_WEBDRIVER:-/usr/bin/WebKitWebDriver}"

if [[ -z "${TAURI_DRIVER:-}" ]]; then
  if command -v tauri-driver >/dev/null 2>&1; then
    TAURI_DRIVER=$(command -v tauri-driver)
  elif [[ -x "$cargo_bin/tauri-driver" ]]; then
    TAURI_DRIVER="$cargo_bin/tauri-driver"
  else
    echo "error: tauri-driver not found on PATH or in $cargo_bin." >&2
    echo "       Install it with: cargo install tauri-driver --locked --version 2.1.0" >&2
    exit 2
  fi
fi
export TAURI_DRIVER

missing=0
for need in xvfb-run node "$WEBKIT_WEBDRIVER" "$TILLBRIDGE_DESKTOP_BIN"; do
  if ! command -v "$need" >/dev/null 2>&1; then
    echo "error: $need not found" >&2
    missing=1
  fi
done
if [[ ! -x "$TILLBRIDGE_DESKTOP_BIN" ]]; then
  echo "       build the app with: cargo build -p tillbridge-desktop" >&2
fi
[[ $missing -eq 0 ]] || exit 2

# A fresh X server per run (-a picks a free display number); the window is 1200x800.
# The files given, or every desktop test.
files=("$@")
((${#files[@]})) || files=("$repo/tests/desktop/smoke.mjs" "$repo/tests/desktop/onboarding.mjs" "$repo/tests/desktop/journeys.mjs")
exec xvfb-run -a -s '-screen 0 1280x800x24' \
  node --test --test-concurrency=1 --test-reporter=tap "${files[@]}"
