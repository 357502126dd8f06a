#!/usr/bin/env bash
# Makes the console's screenshots into screenshots/: see scripts/screenshots.py for what it
# installs (tmux, DejaVu, a CJK font, the emoji font; pyte and Pillow) and its options.
#   scripts/screenshots.sh [--binary .build/debug/wamod] [--out screenshots] [--only main,help]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .build/debug/wamod ] && [[ " $* " != *" --binary "* ]]; then
  swift build --product wamod
fi
exec python3 scripts/screenshots.py "$@"
