#!/usr/bin/env bash
# Measures `estimate --batch` on a generated batch file: MB/s, records/s and peak RSS with
# --jobs 1 and --jobs 2, against raw tokenization (`count`) of the same prompt texts.
# Usage: scripts/measure_batch.sh [SIZE_MB (default 1024)] [WORKDIR (default target/measure)]
# The generated files are not committed. Needs GNU time (/usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-1024}"
WORK="${2:-target/measure}"
MODEL=meta.llama3-1-8b-instruct-v1:0
mkdir -p "$WORK"
cargo build --release --locked --bin bedrock-meter
BIN=target/release/bedrock-meter
FILE="$WORK/batch-${SIZE}mb.jsonl"
TEXT="$WORK/batch-${SIZE}mb.txt"
if [ ! -f "$FILE" ]; then
    python3 scripts/gen_batch.py "$FILE" "$SIZE" --format llama --text "$TEXT"
fi
BYTES=$(stat -c %s "$FILE")
# Build the fast tokenizer tables once (cached), so no run pays for it.
"$BIN" count --model "$MODEL" "warm up" >/dev/null

measure() { # label, command...
    local label=$1; shift
    local log; log=$(mktemp)
    /usr/bin/time -v "$@" >"$WORK/out.json" 2>"$log"
    local secs rss
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    echo "$label: ${secs}s, peak RSS $((rss / 1024)) MiB"
    echo "$secs"  >"$WORK/secs"
    rm -f "$log"
}

TBYTES=$(stat -c %s "$TEXT")
measure "raw tokenization (count, 1 core) of $((TBYTES / 1048576)) MiB of prompt text" \
    "$BIN" --format json count --model "$MODEL" -f "$TEXT"
RAW=$(cat "$WORK/secs")
echo "  raw: $(python3 -c "print(f'{$TBYTES/1048576/$RAW:.1f}')") MiB/s of text"
for JOBS in 1 2; do
    measure "estimate --batch, --jobs $JOBS, $((BYTES / 1048576)) MiB" \
        "$BIN" --format json estimate --model "$MODEL" --batch "$FILE" --jobs "$JOBS" --no-progress
    S=$(cat "$WORK/secs")
    RECORDS=$(python3 -c "import json; print(json.load(open('$WORK/out.json'))['records']['ok'])")
    python3 -c "print(f'  {$BYTES/1048576/$S:.1f} MiB/s of JSONL, {$TBYTES/1048576/$S:.1f} MiB/s of prompt text, {$RECORDS/$S:.0f} records/s')"
    echo "$S" >"$WORK/secs-$JOBS"
done
python3 -c "print(f'speed-up 1 -> 2 jobs: {$(cat "$WORK/secs-1")/$(cat "$WORK/secs-2"):.2f}x')"
