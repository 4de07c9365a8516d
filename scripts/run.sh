#!/usr/bin/env bash
# Builds and starts the 补贴通 desktop app on its default workspace (in the
# OS's app data directory; a new workspace starts with a sample company).
# Installs the Debian packages it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cargo build --release -p butie-app
exec ./target/release/butie-app
