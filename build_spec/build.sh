#!/usr/bin/env bash
# Build the one-folder FieldAudit app with build_spec/fieldaudit.spec into DISTDIR/fieldaudit, then smoke-check
# the frozen executables (see build_spec/README.md for what is checked).
#
#   build_spec/build.sh [--smoke-only] [--screenshot FILE.png] [--workpath DIR] DISTDIR
#
#   --smoke-only      check an existing DISTDIR/fieldaudit without building
#   --screenshot F    also start the GUI on a virtual X server (Xvfb, the xcb plugin) and save its window to F
#   --workpath DIR    PyInstaller's work directory (default: a temporary one, removed afterwards)
#
# DISTDIR must be outside the repository: build output is never committed. Needs the project's dependencies and
# pyinstaller in $PYTHON (default python3), and pdftotext/pdffonts (poppler-utils) for the PDF check.
set -euo pipefail

usage() { sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
fail() { echo "build.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

SMOKE_ONLY=0 SCREENSHOT="" WORKPATH=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --smoke-only) SMOKE_ONLY=1; shift ;;
        --screenshot) SCREENSHOT="${2:?}"; shift 2 ;;
        --workpath) WORKPATH="${2:?}"; shift 2 ;;
        -h|--help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
[[ $# -eq 1 ]] || usage

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
DIST="$(realpath -m "$1")"
case "$DIST/" in "$(realpath "$ROOT")/"*) fail "DISTDIR $DIST is inside the repository $ROOT" ;; esac
mkdir -p "$DIST"
APP="$DIST/fieldaudit"
for tool in pdftotext pdffonts timeout bc; do
    command -v "$tool" >/dev/null || fail "$tool not found (apt-get install poppler-utils bc)"
done

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/fieldaudit-smoke.XXXXXX")"
CHILD=""
cleanup() {
    if [[ -n "$CHILD" ]]; then kill "$CHILD" 2>/dev/null || true; fi
    rm -rf "$SCRATCH"
    if [[ -n "${OWN_WORKPATH:-}" ]]; then rm -rf "$OWN_WORKPATH"; fi
}
trap cleanup EXIT

# --- build ------------------------------------------------------------------------------------------------------
if [[ $SMOKE_ONLY -eq 0 ]]; then
    if [[ -z "$WORKPATH" ]]; then
        OWN_WORKPATH="$(mktemp -d "${TMPDIR:-/tmp}/fieldaudit-build.XXXXXX")"
        WORKPATH="$OWN_WORKPATH"
    fi
    step "PyInstaller $("$PYTHON" -m PyInstaller --version) -> $APP"
    (cd "$ROOT" && nice -n 10 "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
        --distpath "$DIST" --workpath "$WORKPATH" build_spec/fieldaudit.spec)
fi
[[ -x "$APP/fieldaudit" && -x "$APP/fieldaudit-cli" ]] || fail "no executables in $APP"

# --- smoke check ------------------------------------------------------------------------------------------------
# A clean environment: an empty $TMPDIR and $HOME that must stay empty, the profile under FIELDAUDIT_HOME, and a
# fontconfig without any system font directory, so Chinese renders only if the bundled fonts are found.
mkdir -p "$SCRATCH/tmp" "$SCRATCH/home" "$SCRATCH/data" "$SCRATCH/out" "$SCRATCH/fontconfig"
cat > "$SCRATCH/fontconfig/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>$SCRATCH/fontconfig/cache</cachedir></fontconfig>
EOF
printf 'demo-passphrase-1\n' > "$SCRATCH/p1"
printf 'demo-passphrase-2\n' > "$SCRATCH/p2"
run() {
    env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$SCRATCH/home" TMPDIR="$SCRATCH/tmp" FIELDAUDIT_HOME="$SCRATCH/data" \
        FONTCONFIG_FILE="$SCRATCH/fontconfig/fonts.conf" "$@"
}
snapshot() { (cd "$APP" && find . -printf '%p %s %T@\n' | sort | sha256sum); }
BEFORE="$(snapshot)"
PROFILE="$SCRATCH/data/profiles/demo"

step "self-check in the frozen GUI (fonts, translations, QtMultimedia, QtPdf, reportlab, sqlcipher3)"
run QT_QPA_PLATFORM=offscreen FIELDAUDIT_FROZEN_SELFCHECK=1 timeout 120 "$APP/fieldaudit" > "$SCRATCH/selfcheck.json" \
    || { cat "$SCRATCH/selfcheck.json"; fail "self-check"; }
"$PYTHON" - "$SCRATCH/selfcheck.json" <<'EOF'
import json, sys
report = json.loads(open(sys.argv[1], encoding="utf-8").read().strip().splitlines()[-1])
for name, check in report["checks"].items():
    print(f"   {'ok ' if check['ok'] else 'BAD'} {name}: {check['detail']}")
sys.exit(0 if report["ok"] else 1)
EOF

step "GUI: fieldaudit --demo, offscreen, quits once the unlock page has painted"
START=$(date +%s.%N)
run QT_QPA_PLATFORM=offscreen FIELDAUDIT_QUIT_WHEN_SHOWN=1 timeout 180 "$APP/fieldaudit" --demo \
    > "$SCRATCH/gui.log" 2>&1 || { cat "$SCRATCH/gui.log"; fail "the GUI did not start and quit (exit $?)"; }
printf '   painted and quit in %.1f s (demo profile created on the way)\n' "$(echo "$(date +%s.%N) - $START" | bc)"
[[ -s "$PROFILE/store.db" ]] || fail "no demo store at $PROFILE"
[[ "$(head -c 15 "$PROFILE/store.db")" != "SQLite format 3" ]] || fail "store.db is a clear-text SQLite file"
if grep -rqa "虚构第一人民医院" "$PROFILE" "$SCRATCH/tmp"; then fail "case data in clear under the profile or TMPDIR"; fi
echo "   store.db encrypted; no case data in clear in the profile"

step "CLI: fieldaudit-cli cases / check / print / export / verify on the demo profile"
CASE_LINE="$(run timeout 120 "$APP/fieldaudit-cli" cases "$PROFILE" --passphrase-file "$SCRATCH/p1")"
echo "   $CASE_LINE"
CASE="$(cut -f1 <<<"$CASE_LINE")"
[[ -n "$CASE" ]] || fail "no demo case"
run timeout 300 "$APP/fieldaudit-cli" check "$PROFILE" --passphrase-file "$SCRATCH/p1" | sed 's/^/   /'
run timeout 120 "$APP/fieldaudit-cli" print "$PROFILE" --case "$CASE" --form onsite-record \
    --out "$SCRATCH/out/onsite.pdf" --passphrase-file "$SCRATCH/p1" --passphrase-file "$SCRATCH/p2" >/dev/null
pdftotext "$SCRATCH/out/onsite.pdf" - | grep -q "现场检查笔录" || fail "no Chinese text extracted from the printed PDF"
FONTS="$(pdffonts "$SCRATCH/out/onsite.pdf")"
for face in UMingCN WenQuanYiMicroHei; do
    grep -E "\+$face.* yes +yes +yes" <<<"$FONTS" >/dev/null || { echo "$FONTS"; fail "$face not embedded"; }
done
echo "   onsite.pdf: Chinese text extracted; UMing and WenQuanYi Micro Hei embedded (subsets)"
run timeout 300 "$APP/fieldaudit-cli" export "$PROFILE" --case "$CASE" --out "$SCRATCH/out/case.fapkg" \
    --passphrase-file "$SCRATCH/p1" >/dev/null
run timeout 300 "$APP/fieldaudit-cli" verify "$SCRATCH/out/case.fapkg" 2>/dev/null | grep -E "^case .*: OK$" | sed 's/^/   /' \
    || fail "the exported package does not verify"

if [[ -n "$SCREENSHOT" ]]; then
    step "GUI on Xvfb (xcb): screenshot -> $SCREENSHOT"
    command -v Xvfb >/dev/null || fail "Xvfb not found (apt-get install xvfb)"
    mkdir -p "$SCRATCH/fb"
    DISPLAY_NUM=$(( 90 + RANDOM % 400 ))
    Xvfb ":$DISPLAY_NUM" -screen 0 1366x768x24 -fbdir "$SCRATCH/fb" -nolisten tcp 2>/dev/null &
    XVFB=$!
    sleep 1
    run DISPLAY=":$DISPLAY_NUM" "$APP/fieldaudit" --demo > "$SCRATCH/xcb.log" 2>&1 &
    CHILD=$!
    COLOURS=0
    for _ in $(seq 60); do  # until the window has painted (a blank screen has one colour), at most 30 s
        sleep 0.5
        kill -0 "$CHILD" 2>/dev/null || { cat "$SCRATCH/xcb.log"; kill "$XVFB"; fail "the GUI exited under xcb"; }
        cp "$SCRATCH/fb/Xvfb_screen0" "$SCRATCH/screen.xwd"
        COLOURS=$("$PYTHON" "$ROOT/build_spec/xwd_to_png.py" "$SCRATCH/screen.xwd" "$SCREENSHOT" | cut -f2 | cut -d' ' -f1)
        [[ $COLOURS -gt 50 ]] && { sleep 1; cp "$SCRATCH/fb/Xvfb_screen0" "$SCRATCH/screen.xwd"; break; }
    done
    "$PYTHON" "$ROOT/build_spec/xwd_to_png.py" "$SCRATCH/screen.xwd" "$SCREENSHOT" | sed 's/^/   /'
    kill "$CHILD"; wait "$CHILD" 2>/dev/null || true; CHILD=""
    kill "$XVFB"; wait "$XVFB" 2>/dev/null || true
    [[ $COLOURS -gt 50 ]] || fail "the window did not paint under xcb"
fi

step "nothing written in clear outside the profile"
LEFT="$(find "$SCRATCH/tmp" "$SCRATCH/home" -mindepth 1)"
[[ -z "$LEFT" ]] || { echo "$LEFT"; fail "files in TMPDIR or HOME"; }
[[ "$(snapshot)" == "$BEFORE" ]] || fail "the frozen app wrote into its own folder $APP"
echo "   TMPDIR, HOME and $APP unchanged"

step "size"
du -sh "$APP" | sed 's/^/   /'
echo "smoke check passed: $APP"
