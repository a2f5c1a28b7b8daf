#!/usr/bin/env bash
# Renders the example daily HTML report and takes the screenshot shown in README.md
# (docs/daily-report.png). For people, not CI: needs python3, cargo and Debian's chromium
# (`apt-get install -y chromium`).
#
# The report is bedrock-meter's real output over a synthetic month of model-invocation logs
# (scripts/synthetic_logs.py: five callers, four priced models, one unpriced imported model).
#
# Usage: scripts/screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/daily-report.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 scripts/synthetic_logs.py "$work/logs" --month 2026-11 >/dev/null
BEDROCK_METER_CONFIG= cargo run --quiet -- --format html report daily \
  --since 2026-11-01 --until 2026-12-01 --by day,model --logs "$work/logs" -o "$work/daily.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=1280,1900 --screenshot="$work/shot.png" "file://$work/daily.html" 2>/dev/null
mkdir -p "$(dirname "$out")"
cp "$work/shot.png" "$out"
echo "wrote $out (the HTML: rerun with -o to keep it)"
