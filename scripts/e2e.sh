#!/usr/bin/env bash
# End-to-end tests of the desktop app in a real window: Xvfb, tauri-driver
# and Debian's WebKitWebDriver. Expects the Debian packages from
# scripts/deps.sh. Prints node's test summary; screenshots go to
# target/e2e/screenshots, measurements to target/e2e/metrics.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked --quiet
cargo build --release -p butie-app --quiet
# The CLI too: the policy-pack test trusts its test key with `butie keys add`.
cargo build --release -p butie --bin butie --quiet
# axe-core (pinned in tests/e2e/package-lock.json) for the accessibility checks.
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

OUT="$ROOT/target/e2e"
rm -rf "$OUT"
mkdir -p "$OUT/screenshots" "$OUT/files" "$OUT/axe"
export BUTIE_APP="$ROOT/target/release/butie-app"
export BUTIE_CLI="$ROOT/target/release/butie"
export BUTIE_WORKSPACE="$OUT/workspace.sqlite"
export BUTIE_E2E_DIR="$OUT/files"
export SCREENSHOT_DIR="$OUT/screenshots"
export METRICS_FILE="$OUT/metrics.json"
export AXE_DIR="$OUT/axe"
export BUTIE_FONT_DIR="$ROOT/assets/fonts"
# A fresh web-view profile each run (language choice, caches), apart from the user's.
export XDG_DATA_HOME="$OUT/xdg-data" XDG_CACHE_HOME="$OUT/xdg-cache" XDG_CONFIG_HOME="$OUT/xdg-config"
source scripts/display.sh
start_display "$OUT"

# tauri-driver holds one session at a time: the test files run one after another.
# E2E_ONLY=tests/e2e/x.test.mjs runs one file (while working on it).
node --test --test-concurrency=1 --test-reporter=spec ${E2E_ONLY:-tests/e2e/} 2>&1 | tee "$OUT/node.log"
status=${PIPESTATUS[0]}
echo "binary size: $(stat -c %s "$BUTIE_APP") bytes" | tee -a "$OUT/metrics.txt"
cat "$METRICS_FILE" 2>/dev/null && echo || true
exit "$status"
