#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian machine: installs what the
# tests need (Debian packages, tauri-driver), then the policy packs' own
# cases, the Rust test suite, and the desktop app's end-to-end tests.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || exit 1

echo "== policy packs: validate and run embedded cases"
cargo run --quiet --bin butie -- check-policies policies || exit 1

echo "== cargo test (workspace; the desktop shell is tested end to end below)"
cargo test --workspace --exclude butie-app --no-fail-fast 2>&1 | tee /tmp/butie-cargo-test.log
cargo_status=${PIPESTATUS[0]}

echo "== end-to-end tests of the desktop app (Xvfb + tauri-driver + WebKitWebDriver)"
bash scripts/e2e.sh 2>&1 | tee /tmp/butie-e2e.log
e2e_status=${PIPESTATUS[0]}

# One closing line that counts every test run above.
passed=$(grep -E '^test result: ' /tmp/butie-cargo-test.log | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^test result: ' /tmp/butie-cargo-test.log | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
e2e_pass=$(grep -Eo '^ℹ pass [0-9]+' /tmp/butie-e2e.log | awk '{print $3}' | tail -1)
e2e_fail=$(grep -Eo '^ℹ fail [0-9]+' /tmp/butie-e2e.log | awk '{print $3}' | tail -1)
passed=$((passed + ${e2e_pass:-0}))
failed=$((failed + ${e2e_fail:-0}))
if [ "$cargo_status" -ne 0 ] || [ "$e2e_status" -ne 0 ]; then
  [ "$failed" -eq 0 ] && failed=1
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
