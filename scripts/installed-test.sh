#!/usr/bin/env bash
# The installed-app test: the .deb from scripts/package.sh unpacked into a
# scratch root outside the source tree (dpkg -x: nothing on the machine
# changes), its contents checked, then the installed binary driven under
# Xvfb with tauri-driver (tests/installed/): the sample company's results,
# then PDFs, which need the fonts the package installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "installed-test: no .deb under target/release/bundle/deb (run scripts/package.sh)"; exit 1; }
SCRATCH=$(mktemp -d /tmp/butie-installed.XXXXXX)
dpkg -x "$deb" "$SCRATCH/root"
echo "== $deb unpacked into $SCRATCH/root"
check() { if [ -e "$SCRATCH/root/$1" ]; then echo "ok   $1"; else echo "MISSING $1"; missing=1; fi; }
missing=0
bin_name=$(cd "$SCRATCH/root/usr/bin" && ls | head -1)
check "usr/bin/$bin_name"
check "usr/share/applications/$(cd "$SCRATCH/root/usr/share/applications" && ls | head -1)"
check "usr/share/icons/hicolor/128x128/apps"
check "usr/share/doc/butie/copyright"
for f in NotoSansSC-Regular.otf NotoSansSC-Bold.otf OFL.txt; do
  check "$(cd "$SCRATCH/root" && find usr/lib -path "*/fonts/$f" | head -1)"
done
desktop=$(ls "$SCRATCH"/root/usr/share/applications/*.desktop | head -1)
for key in '^Exec=butie-app' '^Icon=' '^Name\[zh_CN\]=补贴通'; do
  grep -q "$key" "$desktop" && echo "ok   desktop entry $key" || { echo "MISSING desktop entry $key"; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1

OUT="$SCRATCH/run"
mkdir -p "$OUT/files" "$OUT/screenshots"
export BUTIE_INSTALLED_APP="$SCRATCH/root/usr/bin/$bin_name"
export BUTIE_INSTALLED_WORKSPACE="$OUT/workspace.sqlite"
export BUTIE_E2E_DIR="$OUT/files"
export SCREENSHOT_DIR="$ROOT/target/installed-screenshots"
mkdir -p "$SCREENSHOT_DIR"
unset BUTIE_FONT_DIR BUTIE_WORKSPACE
export XDG_DATA_HOME="$OUT/xdg-data" XDG_CACHE_HOME="$OUT/xdg-cache" XDG_CONFIG_HOME="$OUT/xdg-config"
source scripts/display.sh
start_display "$OUT"
status=0
node --test --test-concurrency=1 --test-reporter=spec tests/installed/ || status=$?
rm -rf "$SCRATCH"
exit "$status"
