#!/usr/bin/env bash
# Prints the simulator's figures: agent-steps per second (one agent acting
# in one epoch, through the reducers) and peak RSS, for one end-to-end
# "coopera sim run" with every output written. The default is the big
# configuration: 1,000 agents x 3,650 daily epochs x 32 runs of the mixed
# population (70% consumers, 5% providers, 15% stakers, 5% creators, 5%
# traders), on all cores. It takes long (tens of minutes on 2 cores);
# scale it down with the environment:
#
#   AGENTS=1000 EPOCHS=365 RUNS=4 scripts/sim-bench.sh       a quick look
#   MIX=consumers-aggregate scripts/sim-bench.sh            consumers aggregated
#   SCALING=1 scripts/sim-bench.sh                          also go test -bench Scaling
#
# Mixes: mixed, consumers, consumers-aggregate, stakers (as in
# sim/bench_test.go). Run it on an otherwise idle machine: the figures are
# wall-clock rates.
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${AGENTS:-1000}
epochs=${EPOCHS:-3650}
runs=${RUNS:-32}
mix=${MIX:-mixed}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pct() { local v=$((agents * $1 / 100)); echo $((v < 1 ? 1 : v)); }
{
  printf 'name: bench-%s\nseed: 1\nepochs: %d\nmarket: {inventory: 1000000000}\n' "$mix" "$epochs"
  printf 'price: {model: gbm, initial: 0.5, volatility: 0.6}\noracle: {feeds: 3}\npopulations:\n'
  case "$mix" in
  consumers | consumers-aggregate)
    agg=false; [ "$mix" = consumers-aggregate ] && agg=true
    printf '  consumers: {count: %d, aggregate: %s, demand: {base: 5, noise: 0.3}}\n' $((agents - $(pct 2))) "$agg"
    printf '  providers: {count: %d}\n' "$(pct 2)"
    ;;
  stakers)
    printf '  stakers: {count: %d, balance: 1000, target_apr: 0.5, target_spread: 0.9}\n' "$agents"
    ;;
  mixed)
    p5=$(pct 5); p15=$(pct 15); half=$((p5 / 2 < 1 ? 1 : p5 / 2))
    printf '  consumers: {count: %d, demand: {base: 5, noise: 0.3}, services: {models: 0.8, agents: 0.2}}\n' $((agents - 4 * p5 - p15 + p5))
    printf '  providers: {count: %d, active: %d, cost: 1, sell: 0.5, exit_after: 14}\n' "$p5" "$half"
    printf '  stakers: {count: %d, balance: 10000, target_apr: 0.1, target_spread: 0.5}\n' "$p15"
    printf '  creators: {count: %d, balance: 1000, create: 0.02, launch: 0.5}\n' "$p5"
    printf '  traders: {count: %d, balance: 1000, trade: 0.3}\n' "$p5"
    ;;
  *) echo "unknown MIX $mix" >&2; exit 2 ;;
  esac
} >"$tmp/bench.yaml"

go build -o "$tmp/coopera" ./cmd/coopera
echo "machine: $(nproc) cores, $(go version | awk '{print $3}'), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs)"
echo "config:  $agents agents ($mix) x $epochs epochs x $runs runs"
"$tmp/coopera" sim run "$tmp/bench.yaml" -o "$tmp/out" -runs "$runs" -json -q >"$tmp/result.json"
field() { grep -o "\"$1\": [0-9.e+]*" "$tmp/result.json" | awk '{print $2}'; }
secs=$(field seconds)
printf '%-34s %14s\n' "wall time (s)" "$(printf '%.1f' "$secs")"
printf '%-34s %14s\n' "agent-steps" "$(field agent_steps)"
printf '%-34s %14.0f\n' "agent-steps/s" "$(field agent_steps_per_second)"
printf '%-34s %14.0f\n' "commands/s (through the reducers)" "$(awk -v c="$(field commands)" -v s="$secs" 'BEGIN{print c/s}')"
printf '%-34s %14.0f\n' "peak RSS (MiB)" "$(awk -v b="$(field peak_rss_bytes)" 'BEGIN{print b/1048576}')"
printf '%-34s %14s\n' "output (MiB)" "$(du -sm "$tmp/out" | cut -f1)"
if [ -n "${SCALING:-}" ]; then
  echo
  echo "== scaling (go test -bench Scaling) =="
  go test ./sim -run '^$' -bench Scaling -benchtime 1x 2>&1 | grep -E '^Benchmark' || true
fi
