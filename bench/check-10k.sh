#!/usr/bin/env bash
# Times `guardctl check` (release build) on N generated manifests, 3 runs.
# Usage: bench/check-10k.sh [N]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
input="$(mktemp -d)/manifests.yaml"
python3 bench/generate-manifests.py "$count" "$input"
swift build -c release --product guardctl >/dev/null
for run in 1 2 3; do
  start=$(date +%s.%N)
  status=0
  .build/release/guardctl check "$input" > /dev/null || status=$?
  end=$(date +%s.%N)
  echo "run $run: $(echo "$end - $start" | bc) s wall, exit $status, $count documents"
done
rm -rf "$(dirname "$input")"
