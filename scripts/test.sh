#!/usr/bin/env bash
# The whole test suite: lint, type check, then pytest (unit, contract, behaviour, PostgreSQL and
# engine tests). Sets up what it needs first, so it runs on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check .
ruff format --check . >/dev/null || { ruff format --diff . | head -50; exit 1; }
echo "== mypy"
mypy .
echo "== pytest"
exec pytest "$@"
