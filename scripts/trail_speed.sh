#!/usr/bin/env bash
# Times bedrock-meter's CloudTrail file reader (TrailReader, via examples/trail_read.rs) on a
# generated trail folder against what a user would write instead: Python, `json.load` on each
# gunzipped file, keeping records whose eventSource is bedrock.amazonaws.com. Prints seconds,
# decompressed MB/s, peak RSS and the ratio. Both read the same files from a warm page cache,
# on one core each.
# Usage: scripts/trail_speed.sh [SIZE_MIB (default 1024)] [WORKDIR (default target/measure)]
# The folder is generated once (kept in WORKDIR, not committed). Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-1024}"
WORK="${2:-target/measure}"
DIR="$WORK/trail-${SIZE}mib"
cargo build --release --locked --example trail_read
BIN=target/release/examples/trail_read
if [ ! -f "$DIR/.complete" ]; then
    rm -rf "$DIR"
    "$BIN" --generate "$DIR" "$SIZE"
    touch "$DIR/.complete"
fi
PY=$(mktemp --suffix=.py)
trap 'rm -f "$PY"' EXIT
cat >"$PY" <<'PYEOF'
import gzip, json, os, sys, time
root = sys.argv[1]
start = time.perf_counter()
files = records = kept = size = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
        if not name.endswith(".json.gz"):
            continue
        with gzip.open(os.path.join(dirpath, name), "rb") as f:
            raw = f.read()
        size += len(raw)
        data = json.loads(raw)
        files += 1
        for r in data["Records"]:
            records += 1
            if r.get("eventSource") == "bedrock.amazonaws.com":
                kept += 1
secs = time.perf_counter() - start
print(f"files {files}, records {records}, kept {kept}")
print(f"{size} bytes decompressed in {secs:.3f} s: {size / 1e6 / secs:.1f} MB/s")
PYEOF
cat "$DIR"/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz >/dev/null  # warm the page cache

measure() { # label, command...
    local label=$1; shift
    local log out; log=$(mktemp); out=$(mktemp)
    /usr/bin/time -v "$@" >"$out" 2>"$log"
    local secs rss
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    echo "== $label: ${secs} s wall, peak RSS $((rss / 1024)) MiB"
    sed 's/^/   /' "$out"
    echo "$secs" >"$WORK/secs"
    rm -f "$log" "$out"
}

measure "bedrock-meter TrailReader, records dropped per file (what the reader holds)" \
    "$BIN" "$DIR" --count-only
measure "bedrock-meter TrailReader, all call records kept in memory" "$BIN" "$DIR"
RUST=$(cat "$WORK/secs")
measure "python3 json.load + filter" python3 "$PY" "$DIR"
PYTHON=$(cat "$WORK/secs")
python3 -c "print(f'ratio (python / bedrock-meter, wall time): {$PYTHON / $RUST:.2f}x')"
