#!/usr/bin/env bash
# Runs Butie on its default workspace. Until the desktop app lands this is
# the CLI evaluating the bundled sample profiles.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --bin butie -- evaluate --profile samples/taizhou-sample.json --explain
cargo run --quiet --release --bin butie -- evaluate --profile samples/chengdu-sample.json --explain
