#!/usr/bin/env bash
# The engine benchmark before and after "results as data", in one run on
# this machine: commit 6b372da (reasons and traces built as text during
# evaluation) with benches/before/evaluate_text_engine.rs as its bench, then
# the current benches/evaluate.rs. Same generated profiles (same seed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BEFORE=${BEFORE:-6b372da}
WT="$ROOT/target/bench-before/src"
rm -rf "$WT"
git worktree prune
git worktree add --detach "$WT" "$BEFORE" >/dev/null
trap 'git worktree remove --force "$WT" >/dev/null 2>&1 || true' EXIT
cp "$ROOT/benches/before/evaluate_text_engine.rs" "$WT/benches/evaluate.rs"
echo "== before ($BEFORE)"
(cd "$WT" && CARGO_TARGET_DIR="$ROOT/target/bench-before/target" cargo bench --quiet --bench evaluate)
echo "== after ($(git rev-parse --short HEAD))"
cargo bench --quiet --bench evaluate
