#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian machine: installs what the
# tests need (Debian packages, tauri-driver), then the policy packs' own
# cases, the Rust test suite, and the desktop app's end-to-end tests.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || exit 1

echo "== guardrails: cargo fmt --check, cargo clippy -D warnings"
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all --check || { echo "FAIL cargo fmt --check: run cargo fmt --all"; exit 1; }
cargo clippy --workspace --all-targets --quiet -- -D warnings || { echo "FAIL cargo clippy"; exit 1; }

echo "== policy packs: validate and run embedded cases"
cargo run --quiet --bin butie -- check-policies policies || exit 1

echo "== cargo test (workspace; the desktop shell is tested end to end below)"
cargo test --workspace --exclude butie-app --no-fail-fast 2>&1 | tee /tmp/butie-cargo-test.log
cargo_status=${PIPESTATUS[0]}

echo "== the installable app: cargo tauri build (.deb, .rpm)"
bash scripts/package.sh 2>&1 | tee /tmp/butie-package.log
package_status=${PIPESTATUS[0]}

echo "== end-to-end tests of the desktop app (Xvfb + tauri-driver + WebKitWebDriver)"
bash scripts/e2e.sh 2>&1 | tee /tmp/butie-e2e.log
e2e_status=${PIPESTATUS[0]}

echo "== the installed app: the .deb unpacked into a scratch root, driven under Xvfb"
if [ "$package_status" -eq 0 ]; then
  bash scripts/installed-test.sh 2>&1 | tee /tmp/butie-installed.log
  installed_status=${PIPESTATUS[0]}
else
  echo "skipped: the package was not built"; installed_status=1
fi

echo "== Windows: the CLI cross-built for x86_64-pc-windows-gnu, run under wine"
bash scripts/windows.sh 2>&1 | tee /tmp/butie-windows.log
windows_status=${PIPESTATUS[0]}

# One closing line that counts every test run above.
passed=$(grep -E '^test result: ' /tmp/butie-cargo-test.log | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^test result: ' /tmp/butie-cargo-test.log | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
for log in /tmp/butie-e2e.log /tmp/butie-installed.log; do
  n_pass=$(grep -Eo '^ℹ pass [0-9]+' "$log" 2>/dev/null | awk '{print $3}' | tail -1)
  n_fail=$(grep -Eo '^ℹ fail [0-9]+' "$log" 2>/dev/null | awk '{print $3}' | tail -1)
  passed=$((passed + ${n_pass:-0}))
  failed=$((failed + ${n_fail:-0}))
done
# scripts/windows.sh prints one "PASS …" or "FAIL …" line per check.
passed=$((passed + $(grep -c '^PASS ' /tmp/butie-windows.log || true)))
failed=$((failed + $(grep -c '^FAIL ' /tmp/butie-windows.log || true)))
if [ "$cargo_status" -ne 0 ] || [ "$e2e_status" -ne 0 ] || [ "$package_status" -ne 0 ] || [ "$installed_status" -ne 0 ] || [ "$windows_status" -ne 0 ]; then
  [ "$failed" -eq 0 ] && failed=1
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
