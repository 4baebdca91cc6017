#!/usr/bin/env bash
# guard-webhook against its floor (the same Hummingbird + swift-nio-ssl stack returning a fixed
# AdmissionReview), side by side in one run: wrk over TLS keep-alive on loopback, realistic reviews,
# 8 and 64 connections; start-to-ready time; RSS idle and under load. The floor runs twice, with
# Swift's tasks on its global pool and on SwiftNIO's event loops (as guard-webhook runs them); the
# ratios are against the better of the two at each connection count.
# Usage: bench/webhook-load.sh [SECONDS_PER_RUN]   (default 15). Needs wrk (apt-get install wrk).
# WEBHOOK_ARGS adds flags to guard-webhook (WEBHOOK_ARGS=--tasks-on-global-pool: the pool, as before).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
work="$(mktemp -d)"
pids=()
# guard-webhook keeps serving for 5 s after SIGTERM (so endpoints drop it first): wait until every
# server has exited (at most 15 s), or a run started right after this one finds its ports taken.
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 150); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.1
  done
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml

swift build -c release --product guard-webhook >/dev/null
swift build -c release --product webhook-floor >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
python3 bench/webhook-reviews.py "$work/bodies"

rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

read -r floor_ready floor_pid < <(python3 bench/webhook-ready.py 18443 -- .build/release/webhook-floor "$work/tls.crt" "$work/tls.key" 18443)
pids+=("$floor_pid")
read -r _ loops_pid < <(python3 bench/webhook-ready.py 18445 -- .build/release/webhook-floor "$work/tls.crt" "$work/tls.key" 18445 loops)
pids+=("$loops_pid")
read -r hook_ready hook_pid < <(python3 bench/webhook-ready.py 18444 -- .build/release/guard-webhook --tls-cert "$work/tls.crt" \
  --tls-key "$work/tls.key" --policy examples/policies/default.yaml --context examples/namespaces.yaml --port 18444 --host 127.0.0.1 ${WEBHOOK_ARGS:-})
pids+=("$hook_pid")
sleep 2
echo "ready after start: floor ${floor_ready} ms, guard-webhook ${hook_ready} ms"
echo "idle RSS: floor $(rss "$floor_pid") MiB, guard-webhook $(rss "$hook_pid") MiB"

# One short warm-up each, then the measured runs interleaved so both see the same machine.
for port in 18443 18445 18444; do
  BODY_DIR="$work/bodies" wrk -t2 -c8 -d3s -s bench/webhook-load.lua "https://127.0.0.1:$port" >/dev/null
done
printf '%-14s %5s %12s %10s %10s %10s\n' server conns "requests/s" "p50 ms" "p99 ms" "RSS MiB"
declare -A rps p99
for connections in 8 64; do
  for entry in "floor:18443:$floor_pid" "floor-loops:18445:$loops_pid" "guard-webhook:18444:$hook_pid"; do
    IFS=: read -r name port pid <<< "$entry"
    peak=0
    ( while sleep 0.5; do awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; done ) > "$work/rss-$name-$connections" &
    sampler=$!
    out=$(BODY_DIR="$work/bodies" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/webhook-load.lua "https://127.0.0.1:$port")
    kill "$sampler" 2>/dev/null || true
    peak=$(sort -n "$work/rss-$name-$connections" | tail -n 1 | awk '{printf "%.1f", $1/1024}')
    requests=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99v=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
    printf '%-14s %5s %12s %10s %10s %10s %s\n' "$name" "$connections" "$requests" "$p50" "$p99v" "$peak" "$errors"
    rps[$name-$connections]=$requests
    p99[$name-$connections]=$p99v
  done
done
echo "peak RSS (VmHWM): floor $(hwm "$floor_pid") MiB, guard-webhook $(hwm "$hook_pid") MiB"
python3 - "${rps[floor-8]}" "${rps[floor-loops-8]}" "${rps[guard-webhook-8]}" "${p99[floor-8]}" "${p99[floor-loops-8]}" "${p99[guard-webhook-8]}" \
  "${rps[floor-64]}" "${rps[floor-loops-64]}" "${rps[guard-webhook-64]}" "${p99[floor-64]}" "${p99[floor-loops-64]}" "${p99[guard-webhook-64]}" <<'PY'
import sys
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)
a = sys.argv[1:]
for i, connections in ((0, 8), (6, 64)):
    throughput = float(a[i + 2]) / max(float(a[i]), float(a[i + 1]))
    latency = ms(a[i + 5]) / min(ms(a[i + 3]), ms(a[i + 4]))
    print("%2d connections: throughput %.0f%% of the floor (target >= 80%%), p99 %.2fx the floor's (target <= 1.5x)"
          % (connections, throughput * 100, latency))
PY
