#!/usr/bin/env bash
# Prints the test-suite figures the README's Testing section reports:
#   - hostile inputs: subtests of the bad-input catalogues that passed, each
#     asserting its typed error and an unchanged state root, or for a signed
#     command refused in its block its nonce used and nothing else (counted
#     from a run of the catalogues, not from their source);
#   - fuzz targets: func Fuzz* in the repository's test files;
#   - rapid properties: rapid.Check calls in the repository's test files.
# Usage: scripts/test-counts.sh [-v]   (-v lists the fuzz targets)
set -euo pipefail
cd "$(dirname "$0")/.."

catalogues='^(TestBadInputCatalogue|TestHostileCommandCatalogue)$'
out=$(go test -count=1 -run "$catalogues" -v . 2>&1) || { echo "$out" | tail -40; echo "the catalogues fail"; exit 1; }
hostile=$(printf '%s\n' "$out" | grep -cE -- '--- PASS: (TestBadInputCatalogue|TestHostileCommandCatalogue)/' || true)

fuzz=$(git grep -hE '^func Fuzz[A-Za-z0-9_]*\(' -- '*_test.go' | wc -l)
rapid=$(git grep -hoF 'rapid.Check(' -- '*_test.go' | wc -l)

echo "hostile inputs (typed error, state root unchanged): $hostile"
echo "fuzz targets: $fuzz"
echo "rapid properties: $rapid"
if [ "${1:-}" = "-v" ]; then
  git grep -nE '^func Fuzz[A-Za-z0-9_]*\(' -- '*_test.go' | sed -E 's/\(.*//; s/^/  /'
fi
