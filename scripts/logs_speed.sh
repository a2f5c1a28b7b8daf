#!/usr/bin/env bash
# Times bedrock-meter's invocation-log reader (LogReader, via examples/logs_read.rs: gunzip,
# parse, sum tokens per principal) on a generated log folder against what a user would
# write instead: Python, gunzip + `json.loads` per line + summing token counts per
# principal. Prints seconds, decompressed MB/s, peak RSS and the ratio. Both read the same
# files from a warm page cache, on one core each.
# Usage: scripts/logs_speed.sh [SIZE_MIB (default 1024)] [WORKDIR (default target/measure)]
# The folder is generated once (kept in WORKDIR, not committed). Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${1:-1024}"
WORK="${2:-target/measure}"
DIR="$WORK/logs-${SIZE}mib"
cargo build --release --locked --example logs_read
BIN=target/release/examples/logs_read
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
files = records = size = 0
sums = {}
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
        if not name.endswith(".json.gz"):
            continue
        files += 1
        with gzip.open(os.path.join(dirpath, name), "rb") as f:
            for line in f:
                size += len(line)
                if not line.strip():
                    continue
                r = json.loads(line)
                records += 1
                s = sums.setdefault(r.get("identity", {}).get("arn", "unknown"), [0, 0, 0])
                s[0] += 1
                if "errorCode" not in r:
                    s[1] += r.get("input", {}).get("inputTokenCount", 0)
                    s[2] += r.get("output", {}).get("outputTokenCount", 0)
secs = time.perf_counter() - start
total = sum(v[1] + v[2] for v in sums.values())
print(f"files {files}, records {records}, principals {len(sums)}, input+output tokens {total}")
print(f"{size} bytes decompressed in {secs:.3f} s: {size / 1e6 / secs:.1f} MB/s")
PYEOF
find "$DIR" -name '*.json.gz' -exec cat {} + >/dev/null  # warm the page cache

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

measure "bedrock-meter LogReader + sums per principal" "$BIN" "$DIR"
RUST=$(cat "$WORK/secs")
measure "python3 gzip + json.loads per line + sums per principal" python3 "$PY" "$DIR"
PYTHON=$(cat "$WORK/secs")
python3 -c "print(f'ratio (python / bedrock-meter, wall time): {$PYTHON / $RUST:.2f}x')"
