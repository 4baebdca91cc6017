#!/usr/bin/env bash
# `guardctl check` on N generated documents against PyYAML's C loader only parsing the same file,
# interleaved, 5 rounds; min and median of each. BASELINE=path/to/an/older/guardctl adds it as a third column.
# Usage: bench/check-vs-pyyaml.sh [N]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 bench/generate-manifests.py "$count" "$work/manifests.yaml"
swift build -c release --product guardctl >/dev/null
python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null || { echo "PyYAML without its C loader (libyaml)" >&2; exit 2; }
seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null || true; end=$(date +%s.%N); echo "$end - $start" | bc; }
declare -A times
for round in 1 2 3 4 5; do
  times[guardctl]+="$(seconds .build/release/guardctl check "$work/manifests.yaml") "
  times[pyyaml]+="$(seconds python3 -c 'import sys, yaml; list(yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader))' "$work/manifests.yaml") "
  [ -n "${BASELINE:-}" ] && times[baseline]+="$(seconds "$BASELINE" check "$work/manifests.yaml") "
done
stats() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "min %.3f s, median %.3f s", a[1], a[int((NR+1)/2)]}'; }
echo "$count documents, $(wc -c < "$work/manifests.yaml") bytes, 5 interleaved rounds"
for name in guardctl pyyaml baseline; do [ -n "${times[$name]:-}" ] && echo "$name: $(stats "${times[$name]}")"; done
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "guardctl / PyYAML parse only (medians): $(echo "scale=3; $(median "${times[guardctl]}") / $(median "${times[pyyaml]}")" | bc)"
