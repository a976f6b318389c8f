#!/usr/bin/env bash
# Prints the performance figures the README and BENCHMARKS.md report.
# Usage: scripts/bench.sh [ledger|all]   (BENCHTIME=5s to run longer)
# Run it on an otherwise idle machine: the figures are wall-clock rates.
set -euo pipefail
cd "$(dirname "$0")/.."
bt=${BENCHTIME:-3s}
what=${1:-all}

run() { # package pattern benchtime
  go test -run '^$' -bench "$2" -benchtime "$3" -count 1 "$1" 2>&1 | grep -E '^Benchmark' || true
}

metric() { # line unit -> value
  echo "$1" | awk -v u="$2" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}'
}

echo "machine: $(nproc) cores, $(go version | awk '{print $3}'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ "$what" = ledger ] || [ "$what" = all ]; then
  echo
  echo "== ledger (durable: one synced Pebble batch per block) =="
  one=$(run . 'TransferOneCaller$' "$bt")
  c64=$(run . 'Transfer64Callers$' "$bt")
  b1k=$(run . 'SubmitBatch1000$' "$bt")
  raw=$(run . 'RawPebble' "$bt")
  rep=$(run . 'Replay$' 3x)
  mil=$(run . 'MillionAccounts$' 1x)
  raw64=$(metric "$(echo "$raw" | grep 64x16)" transfers/s)
  raw1k=$(metric "$(echo "$raw" | grep 1x1000)" transfers/s)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
  printf '%-44s %12s\n' "durable transfers/s, 1 caller" "$(metric "$one" transfers/s)"
  printf '%-44s %12s\n' "durable transfers/s, 64 callers" "$(metric "$c64" transfers/s)"
  printf '%-44s %12s\n' "  raw Pebble, 64 goroutines x 16 (ratio)" "$raw64 ($(ratio "$(metric "$c64" transfers/s)" "$raw64"))"
  printf '%-44s %12s\n' "  transfers per block, 64 callers" "$(metric "$c64" transfers/block)"
  printf '%-44s %12s\n' "  commit latency p50 (µs), 64 callers" "$(metric "$c64" p50-µs)"
  printf '%-44s %12s\n' "  commit latency p99 (µs), 64 callers" "$(metric "$c64" p99-µs)"
  printf '%-44s %12s\n' "  mean µs: queue / execute / write / fsync" "$(metric "$c64" queue-µs) / $(metric "$c64" execute-µs) / $(metric "$c64" write-µs) / $(metric "$c64" fsync-µs)"
  printf '%-44s %12s\n' "durable transfers/s, SubmitBatch of 1000" "$(metric "$b1k" transfers/s)"
  printf '%-44s %12s\n' "  raw Pebble, 1 goroutine x 1000 (ratio)" "$raw1k ($(ratio "$(metric "$b1k" transfers/s)" "$raw1k"))"
  printf '%-44s %12s\n' "  mean µs a block: execute / write / fsync" "$(metric "$b1k" execute-µs) / $(metric "$b1k" write-µs) / $(metric "$b1k" fsync-µs)"
  printf '%-44s %12s\n' "replay (verify) events/s" "$(metric "$rep" events/s)"
  printf '%-44s %12s\n' "  CPU ns per replayed event (all cores)" "$(metric "$rep" cpu-ns/event)"
  printf '%-44s %12s\n' "verify of the 1,000,000-account ledger (s)" "$(metric "$mil" verify-s)"
  printf '%-44s %12s\n' "bytes on disk per transfer" "$(metric "$rep" disk-bytes/transfer)"
  printf '%-44s %12s\n' "peak RSS (MiB), 1,000,000-account genesis" "$(metric "$mil" peak-rss-MiB)"
  printf '%-44s %12s\n' "RSS (MiB) after, reopened and transferring" "$(metric "$mil" rss-MiB)"
fi
if [ "$what" = all ] && [ -d tokenomics ]; then
  echo
  echo "== tokenomics =="
  run ./tokenomics . "$bt"
fi
if [ "$what" = all ] && [ -d governance ]; then
  echo
  echo "== governance =="
  run ./governance/... . 1x
fi
