#!/usr/bin/env bash
# Times `guard-traefik` (release build) on N generated OdooEnvironments, both formats, 3 runs each.
# Usage: bench/traefik-10k.sh [N]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 bench/generate-environments.py "$count" "$dir/environments.json" --json
python3 bench/generate-environments.py "$count" "$dir/environments.yaml"
swift build -c release --product guard-traefik >/dev/null
for input in environments.json environments.yaml; do
  for format in crd file; do
    for run in 1 2 3; do
      start=$(date +%s.%N)
      .build/release/guard-traefik --format "$format" "$dir/$input" > "$dir/out.yaml"
      end=$(date +%s.%N)
      echo "$input $format run $run: $(echo "$end - $start" | bc) s wall, $(wc -c < "$dir/out.yaml") bytes out"
    done
  done
done
