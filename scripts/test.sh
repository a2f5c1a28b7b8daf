#!/usr/bin/env bash
# The whole test suite, from a fresh clone: builds, then runs every test.
# Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --all-targets
cargo test --locked --all-targets "$@"
