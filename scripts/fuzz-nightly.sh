#!/usr/bin/env bash
# Fuzzes every fuzz target of the root module in turn, for FUZZTIME each
# (default 10m): the nightly-length run. CI runs only the seed corpora
# (plain `go test`). A failing input is written to the target's
# testdata/fuzz directory: commit it with the fix.
# Usage: FUZZTIME=10m scripts/fuzz-nightly.sh [TARGET-REGEXP]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
filter=${1:-.}
status=0
# Targets of the root module only (adapters/chain and examples/bridge are
# modules of their own).
while IFS=: read -r file target; do
  dir=$(dirname "$file")
  case "$dir" in adapters/chain* | examples/bridge*) continue ;; esac
  echo "$target" | grep -qE -- "$filter" || continue
  echo "--- $target ./$dir ($fuzztime)"
  go test "./$dir" -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" || status=1
done < <(git grep -oE '^func Fuzz[A-Za-z0-9_]*' -- '*_test.go' | sed -E 's/:func /:/')
exit $status
