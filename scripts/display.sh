# Sourced by scripts/e2e.sh and scripts/installed-test.sh: a private X display
# (Xvfb) and tauri-driver in front of Debian's WebKitWebDriver, both stopped
# when the calling script exits. $1: the folder for their logs.
start_display() {
  local out="$1"
  # Software rendering: no GPU under Xvfb.
  export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1
  DISP=":$((90 + RANDOM % 9))"
  Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
  XVFB=$!
  export DISPLAY="$DISP"
  tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >"$out/driver.log" 2>&1 &
  DRIVER=$!
  trap 'kill "$DRIVER" "$XVFB" 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do
    curl -s http://127.0.0.1:4444/status >/dev/null 2>&1 && break
    sleep 0.2
  done
}
