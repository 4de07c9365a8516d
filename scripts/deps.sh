#!/usr/bin/env bash
# Installs the Debian packages Butie needs to build, run and test, if missing:
# WebKitGTK for the desktop app, Xvfb and WebKitWebDriver for its end-to-end
# tests, poppler-utils for reading generated PDFs back, Node.js for the
# WebDriver client and npm for axe-core (the accessibility checks).
set -euo pipefail
pkgs=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in build-essential pkg-config curl libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev \
         xvfb xauth webkit2gtk-driver poppler-utils; do
  have "$p" || pkgs+=("$p")
done
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${pkgs[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
