#!/usr/bin/env bash
# Cross-builds the `butie` CLI for Windows (x86_64-pc-windows-gnu, MinGW) and
# runs it under Wine, comparing its output with the Linux build's.
#
# Installs what it needs if missing: the Rust target, Debian's
# gcc-mingw-w64-x86-64 (the linker and C compiler for bundled SQLite and
# mimalloc), wine64 and poppler-utils (pdftotext). Without Wine it still
# cross-builds and says that the run was skipped.
#
# Everything it runs lives under target/windows-test/ (a scratch folder: the
# Wine prefix, the exe with fonts/ beside it, and a test-only stub
# bcryptprimitives.dll that Debian 12's Wine 8.0 lacks and Rust's standard
# library imports; the stub is never shipped). The user's ~/.wine is not used.
#
# Exit 0: built, and (if Wine could run) every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=x86_64-pc-windows-gnu
# The test build: the shipped release settings without whole-program LTO and
# with parallel codegen (the same code, half the build time on 2 cores; the
# shipped size is measured with `cargo build --release --target …`).
PROFILE=wintest
EXE=target/$TARGET/$PROFILE/butie.exe
SCRATCH=$ROOT/target/windows-test
LINUX_BIN=$ROOT/target/release/butie

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
step_start=0
step() { step_start=$SECONDS; echo "== $*"; }
took() { echo "   ($(( SECONDS - step_start )) s)"; }

# --- installs --------------------------------------------------------------
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep "install ok installed" >/dev/null; }
apt_updated=0
apt_install() { # quiet install of the given packages; returns apt-get's status
  if [ $apt_updated -eq 0 ]; then $SUDO apt-get update -qq || return 1; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

step "installs"
if ! rustup target list --installed | grep -x "$TARGET" >/dev/null; then
  echo "   rustup target add $TARGET"
  rustup target add "$TARGET"
fi
pkgs=()
for p in gcc-mingw-w64-x86-64 poppler-utils; do have "$p" || pkgs+=("$p"); done
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "   installing Debian packages: ${pkgs[*]}"
  apt_install "${pkgs[@]}"
fi
wine_skip=""
if ! have wine64; then
  echo "   installing Debian package: wine64"
  apt_install wine64 || wine_skip="apt-get could not install wine64"
fi
WINE=""
if [ -z "$wine_skip" ]; then
  for w in wine64 /usr/lib/wine/wine64 wine; do
    if command -v "$w" >/dev/null 2>&1; then WINE=$(command -v "$w"); break; fi
  done
  [ -n "$WINE" ] || wine_skip="wine64 is installed but no wine64/wine program was found"
fi
took

# --- cross-build -------------------------------------------------------------
step "cargo build --profile $PROFILE --target $TARGET --bin butie"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
if nice -n 10 cargo build --profile "$PROFILE" --target "$TARGET" --bin butie; then
  took
  pass "build: $EXE ($(stat -c %s "$EXE") bytes)"
else
  took
  fail "build: cargo build --profile $PROFILE --target $TARGET --bin butie failed"
  exit 1
fi

if [ -n "$wine_skip" ]; then
  echo "SKIP run under wine: $wine_skip (the Windows build itself passed)"
  exit 0
fi

# --- the Linux build to compare with ----------------------------------------
step "Linux butie for comparison"
if [ ! -x "$LINUX_BIN" ] || [ -n "$(find src crates policies Cargo.toml Cargo.lock -type f -newer "$LINUX_BIN" 2>/dev/null | head -1)" ]; then
  echo "   target/release/butie missing or older than the sources: building it"
  nice -n 10 cargo build --release --bin butie
fi
took

# --- scratch folder: exe, fonts/ beside it, test-only stub DLL --------------
step "scratch folder $SCRATCH"
rm -rf "$SCRATCH/stub" "$SCRATCH/out" "$SCRATCH/app" "$SCRATCH/nofonts"
mkdir -p "$SCRATCH/stub" "$SCRATCH/out"
cat >"$SCRATCH/stub/stub.c" <<'EOF'
/* TEST ONLY: Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), which Rust's
   standard library imports on Windows. Never ship this. */
#include <windows.h>
#define RtlGenRandom SystemFunction036
BOOLEAN WINAPI RtlGenRandom(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) { ULONG n = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
                if (!RtlGenRandom(data, n)) return FALSE; data += n; len -= n; }
  return TRUE;
}
EOF
x86_64-w64-mingw32-gcc -shared -O2 -o "$SCRATCH/stub/bcryptprimitives.dll" "$SCRATCH/stub/stub.c" -ladvapi32
took

# --- Wine prefix --------------------------------------------------------------
export WINEPREFIX=$SCRATCH/wineprefix WINEARCH=win64 WINEDEBUG=-all
# No Mono/Gecko install prompts; a console program needs no display.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY BUTIE_FONT_DIR CARGO_TARGET_DIR BUTIE_WORKSPACE
# Wine turns the arguments into UTF-16 by the locale: Chinese paths need UTF-8.
export LC_ALL=C.UTF-8
step "wine prefix ($($WINE --version 2>/dev/null || echo '?')) at $WINEPREFIX"
WINESERVER=$(command -v wineserver || echo "$(dirname "$WINE")/wineserver")
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  # A 64-bit-only Wine says it "failed to open C:\windows\syswow64\rundll32.exe"
  # (no 32-bit side): harmless here. The registry is written when the
  # wineserver exits, hence the wait.
  timeout 300 "$WINE" wineboot --init >"$SCRATCH/wineboot.log" 2>&1 || true
  timeout 120 "$WINESERVER" -w || true
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    took
    fail "wineboot --init did not make a prefix: $(grep -v '^$' "$SCRATCH/wineboot.log" | head -3 | tr '\n' ' ')"
    exit 1
  fi
fi
took

# The exe as installed: C:\butie\butie.exe with fonts\ beside it (inside the
# prefix, so still under target/windows-test/). Not run from Z:\...\target:
# a binary run from this tree's target/ may also use the tree's assets/fonts,
# and Wine resolves the build's Unix path to it (real Windows would not).
APPDIR=$WINEPREFIX/drive_c/butie
NOFONTS=$WINEPREFIX/drive_c/butie-nofonts
rm -rf "$APPDIR" "$NOFONTS"
mkdir -p "$APPDIR/fonts" "$NOFONTS"
cp "$EXE" "$SCRATCH/stub/bcryptprimitives.dll" "$APPDIR/"
cp assets/fonts/*.otf "$APPDIR/fonts/"
# The same exe with no fonts\ beside it: `pdf` must then fail (shows that the
# fonts were found beside the exe, and nowhere else).
cp "$EXE" "$SCRATCH/stub/bcryptprimitives.dll" "$NOFONTS/"

# Runs a Windows program with C:\ as its current folder (not the tree's Z:\).
wrun() { (cd "$WINEPREFIX/drive_c" && timeout 300 "$WINE" "$@"); }
winpath() { local p; p=$(realpath -m "$1"); printf 'Z:%s' "${p//\//\\}"; }
crlf() { sed 's/\r$//' "$1"; }
WEXE='C:\butie\butie.exe'
WSCRATCH=$SCRATCH/out/workspace-linux.sqlite  # the Linux side's own workspace

compare() { # name, then the butie arguments (samples/… become Z:\… paths for Windows)
  local name=$1; shift
  local largs=() wargs=() a
  for a in "$@"; do
    case $a in
      samples/*) largs+=("$ROOT/$a"); wargs+=("$(winpath "$ROOT/$a")") ;;
      *) largs+=("$a"); wargs+=("$a") ;;
    esac
  done
  local lout=$SCRATCH/out/$name.linux wout=$SCRATCH/out/$name.windows
  "$LINUX_BIN" --workspace "$WSCRATCH" "${largs[@]}" >"$lout" 2>"$lout.err" || { fail "$name: Linux butie exited $? ($(head -c 300 "$lout.err"))"; return; }
  local rc=0
  wrun "$WEXE" --workspace 'C:\butie-test\compare.sqlite' "${wargs[@]}" >"$wout" 2>"$wout.err" || rc=$?
  if [ $rc -ne 0 ]; then fail "$name: butie.exe exited $rc ($(head -c 300 "$wout.err"))"; return; fi
  if cmp -s <(crlf "$lout") <(crlf "$wout"); then
    pass "$name: identical to Linux ($(wc -c <"$lout") bytes$(grep -q $'\r' "$wout" && echo ', after CRLF→LF'))"
  else
    fail "$name: differs from Linux (diff $lout $wout)"
    diff <(crlf "$lout") <(crlf "$wout") | head -10 || true
  fi
}

step "checks under wine"
compare evaluate-taizhou-2025-json evaluate --profile samples/taizhou-sample.json --year 2025 --json
compare evaluate-chengdu-2024-json evaluate --profile samples/chengdu-sample.json --year 2024 --json
compare evaluate-chengdu-2024-en-table --lang en evaluate --profile samples/chengdu-sample.json --year 2024

# pdf into a Windows path (C:\butie-test\pdf), fonts from fonts/ beside the exe.
company=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' samples/taizhou-sample.json | head -1)
pdfdir=$WINEPREFIX/drive_c/butie-test/pdf
rm -rf "$pdfdir"
rc=0
wrun "$WEXE" --workspace 'C:\butie-test\pdf.sqlite' pdf --profile "$(winpath samples/taizhou-sample.json)" --year 2025 --out 'C:\butie-test\pdf' \
  >"$SCRATCH/out/pdf.stdout" 2>"$SCRATCH/out/pdf.stderr" || rc=$?
"$LINUX_BIN" --workspace "$WSCRATCH" pdf --profile samples/taizhou-sample.json --year 2025 --out "$SCRATCH/out/pdf-linux" >/dev/null 2>&1 || true
want=$(find "$SCRATCH/out/pdf-linux" -name '*.pdf' 2>/dev/null | wc -l)
got=$(find "$pdfdir" -name '*.pdf' 2>/dev/null | wc -l)
summary=$(find "$pdfdir" -name '*汇总.pdf' 2>/dev/null | head -1)
if [ $rc -ne 0 ]; then
  fail "pdf: butie.exe exited $rc ($(head -c 300 "$SCRATCH/out/pdf.stderr"))"
elif [ "$got" -eq 0 ] || [ "$got" -ne "$want" ]; then
  fail "pdf: $got PDFs in C:\\butie-test\\pdf, Linux writes $want"
elif [ -z "$summary" ] || [[ "$(pdftotext "$summary" - 2>/dev/null)" != *"$company"* ]]; then
  fail "pdf: the summary PDF's text lacks the company name $company"
else
  pass "pdf: C:\\butie\\butie.exe wrote $got PDFs to C:\\butie-test\\pdf (as many as Linux), summary's text has $company"
fi

# Again into the same folder: each same-named PDF is replaced (a rename over
# an existing file, which Windows does differently from Unix).
rc=0
wrun "$WEXE" --workspace 'C:\butie-test\pdf.sqlite' pdf --profile "$(winpath samples/taizhou-sample.json)" --year 2025 --out 'C:\butie-test\pdf' \
  >/dev/null 2>"$SCRATCH/out/pdf.stderr" || rc=$?
again=$(find "$pdfdir" -name '*.pdf' 2>/dev/null | wc -l)
leftovers=$(find "$pdfdir" -mindepth 1 ! -name '*.pdf' 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$again" -eq "$want" ] && [ "$leftovers" -eq 0 ]; then
  pass "pdf again into the same folder: the $again PDFs replaced, no temporary files left"
else
  fail "pdf again into the same folder: exit $rc, $again PDFs, $leftovers other files ($(head -c 300 "$SCRATCH/out/pdf.stderr"))"
fi

# The same without fonts/ beside the exe must fail: nothing else finds them.
rm -rf "$WINEPREFIX/drive_c/butie-test/pdf-nofonts"
rc=0
wrun 'C:\butie-nofonts\butie.exe' --workspace 'C:\butie-test\pdf.sqlite' pdf --profile "$(winpath samples/taizhou-sample.json)" --year 2025 \
  --out 'C:\butie-test\pdf-nofonts' >/dev/null 2>"$SCRATCH/out/pdf-nofonts.stderr" || rc=$?
if [ $rc -ne 0 ] && [ -z "$(find "$WINEPREFIX/drive_c/butie-test/pdf-nofonts" -name '*.pdf' 2>/dev/null)" ]; then
  pass "pdf without fonts/ beside the exe: refused (exit $rc: $(head -1 "$SCRATCH/out/pdf-nofonts.stderr" | head -c 160)), so the run above used fonts/ beside the exe"
else
  fail "pdf without fonts/ beside the exe: exit $rc, fonts were found elsewhere (the check above proves nothing)"
fi

# Workspace under a Windows path, then the default one (%APPDATA%\butie).
uscc=$(sed -n 's/^ *"uscc": *"\([^"]*\)".*/\1/p' samples/chengdu-sample.json | head -1)
cname=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' samples/chengdu-sample.json | head -1)
workspace_check() { # label, file (Linux path of the sqlite), then --workspace args or none
  local label=$1 file=$2; shift 2
  rm -rf "$(dirname "$file")"
  local rc=0
  wrun "$WEXE" "$@" import "$(winpath samples/chengdu-sample.json)" >"$SCRATCH/out/ws.stdout" 2>"$SCRATCH/out/ws.stderr" || rc=$?
  if [ $rc -ne 0 ]; then fail "$label: import exited $rc ($(head -c 300 "$SCRATCH/out/ws.stderr"))"; return; fi
  if [ ! -s "$file" ]; then fail "$label: import succeeded but $file was not created"; return; fi
  rc=0
  wrun "$WEXE" "$@" company list >"$SCRATCH/out/ws.stdout" 2>"$SCRATCH/out/ws.stderr" || rc=$?
  if [ $rc -ne 0 ] || ! grep -qF "$cname" "$SCRATCH/out/ws.stdout"; then
    fail "$label: company list (exit $rc) does not show $cname"; return
  fi
  rc=0
  wrun "$WEXE" "$@" evaluate --company "$uscc" --year 2024 --json >"$SCRATCH/out/ws-eval.windows" 2>"$SCRATCH/out/ws.stderr" || rc=$?
  if [ $rc -ne 0 ] || ! cmp -s <(crlf "$SCRATCH/out/ws-eval.windows") <(crlf "$SCRATCH/out/ws-eval.linux"); then
    fail "$label: evaluate --company (exit $rc) differs from Linux's (diff $SCRATCH/out/ws-eval.linux $SCRATCH/out/ws-eval.windows)"; return
  fi
  pass "$label: created ${file#"$WINEPREFIX/"} ($(stat -c %s "$file") bytes); import, company list and evaluate --company (same JSON as Linux) work"
}
# Linux's answer for the saved company, from a workspace of its own.
rm -f "$SCRATCH/out/ws-linux.sqlite"
"$LINUX_BIN" --workspace "$SCRATCH/out/ws-linux.sqlite" import samples/chengdu-sample.json >/dev/null
"$LINUX_BIN" --workspace "$SCRATCH/out/ws-linux.sqlite" evaluate --company "$uscc" --year 2024 --json >"$SCRATCH/out/ws-eval.linux"
# (A folder name with Chinese and a space: SQLite is given such paths as URIs.)
workspace_check 'workspace C:\butie-test\工作 区\w.sqlite' "$WINEPREFIX/drive_c/butie-test/工作 区/w.sqlite" --workspace 'C:\butie-test\工作 区\w.sqlite'
appdata=$(wrun cmd /c echo %APPDATA% 2>/dev/null | tr -d '\r' || true)
appdata_unix=$(WINEDEBUG=-all timeout 60 "$WINE" winepath -u "$appdata" 2>/dev/null | tr -d '\r' || true)
if [ -z "$appdata_unix" ]; then
  fail "default workspace: could not find %APPDATA% in the prefix (got '$appdata')"
else
  workspace_check "default workspace ($appdata\\butie\\workspace.sqlite)" "$(realpath -m "$appdata_unix")/butie/workspace.sqlite"
fi

# backup, then restore (which keeps the workspace as it was beside it).
ws='C:\butie-test\工作 区\w.sqlite'; wsdir="$WINEPREFIX/drive_c/butie-test/工作 区"
rm -f "$wsdir/备份 1.sqlite"
rc=0
{ wrun "$WEXE" --workspace "$ws" backup --out 'C:\butie-test\工作 区\备份 1.sqlite' &&
  wrun "$WEXE" --workspace "$ws" import "$(winpath samples/taizhou-sample.json)" &&
  wrun "$WEXE" --workspace "$ws" restore 'C:\butie-test\工作 区\备份 1.sqlite'; } >"$SCRATCH/out/restore.stdout" 2>"$SCRATCH/out/restore.stderr" || rc=$?
listed=$(wrun "$WEXE" --workspace "$ws" company list 2>/dev/null | grep -c . || true)
kept=$(find "$wsdir" -name 'w.before-restore-*.sqlite' | wc -l)
if [ $rc -eq 0 ] && [ "$listed" -eq 1 ] && [ "$kept" -eq 1 ]; then
  pass "backup and restore in C:\\butie-test\\工作 区: the workspace is back to 1 company, the one before restore kept beside it"
else
  fail "backup and restore: exit $rc, $listed companies listed after restore, $kept safety copies ($(head -c 300 "$SCRATCH/out/restore.stderr"))"
fi
took

"$WINESERVER" -k 2>/dev/null || true  # this prefix's server only

if [ $fails -ne 0 ]; then echo "== $fails check(s) failed"; exit 1; fi
echo "== all checks passed"
