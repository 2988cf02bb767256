#!/usr/bin/env bash
# The whole test suite, in two tiers, after setting up what it needs (so it runs on a fresh clone):
#   fast: ruff, ruff format, then mypy beside every test that needs neither PostgreSQL nor the Pulumi engine,
#         spread over the machine's cores (pytest-xdist; an idle worker takes queued tests from a busy one);
#   slow: the tests against a real PostgreSQL and under the real Pulumi engine, spread over the cores a file
#         per worker (a file's tests share one deployed stack; each worker starts its own PostgreSQL, Pulumi
#         home, file backend and fake APIs).
# The fast tier runs first, so a lint, type or unit failure stops the run within a minute.
#
#   scripts/test.sh                 both tiers (what CI runs through .ci/run)
#   scripts/test.sh --fast          the fast tier only
#   scripts/test.sh <pytest args>   pytest alone, with those arguments (e.g. tests/railway -k domain)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

fast_tier='not engine and not postgres and not benchmark'
slow_tier='(engine or postgres) and not benchmark'

if [ $# -gt 0 ] && [ "$1" != --fast ]; then
    exec pytest "$@"
fi

started=$SECONDS
echo "== fast tier: ruff"
ruff check .
ruff format --check . >/dev/null || { ruff format --diff . | head -50; exit 1; }
# mypy runs beside the tests (they leave part of a core idle); its report follows theirs.
echo "== fast tier: mypy, and pytest -m '$fast_tier'"
mypy_report=$(mktemp)
trap 'rm -f "$mypy_report"' EXIT
mypy . >"$mypy_report" 2>&1 &
mypy_pid=$!
tests_status=0
pytest -m "$fast_tier" -n auto --dist worksteal || tests_status=$?
mypy_status=0
wait "$mypy_pid" || mypy_status=$?
echo "== fast tier: mypy"
cat "$mypy_report"
if [ "$tests_status" -ne 0 ]; then
    exit "$tests_status"
fi
if [ "$mypy_status" -ne 0 ]; then
    exit "$mypy_status"
fi
echo "== fast tier: $((SECONDS - started)) s"
if [ "${1:-}" = --fast ]; then
    exit 0
fi
echo "== slow tier: pytest -m '$slow_tier'"
pytest -m "$slow_tier" -n auto --dist loadfile
echo "== whole suite: $((SECONDS - started)) s"
