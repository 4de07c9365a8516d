#!/usr/bin/env bash
# Builds the installable desktop app with Tauri's bundler (no network needed):
# target/release/bundle/deb/butie_<version>_amd64.deb and .../rpm/*.rpm, each
# holding the app, its desktop entry, the icon set (icons/), and the PDF fonts
# as bundle resources. Installs tauri-cli (cargo install --locked) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
if ! cargo tauri --version >/dev/null 2>&1; then
  echo "== installing tauri-cli"
  # A debug build of the tool: half the compile time of an optimised one,
  # and bundling is mostly copying and compressing (a few seconds more).
  cargo install tauri-cli --locked --version "^2" --debug --quiet
fi
echo "== cargo tauri build (deb, rpm)"
(cd src-tauri && cargo tauri build --bundles deb,rpm)
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
rpm=$(ls -t target/release/bundle/rpm/*.rpm 2>/dev/null | head -1 || true)
echo "package: $deb ($(stat -c %s "$deb") bytes)"
[ -n "$rpm" ] && echo "package: $rpm ($(stat -c %s "$rpm") bytes)"
echo "binary: target/release/butie-app ($(stat -c %s target/release/butie-app) bytes)"
echo "install: sudo apt install ./$deb"
