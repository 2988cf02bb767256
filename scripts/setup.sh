#!/usr/bin/env bash
# Set up everything the program and its tests need on a fresh machine: the virtualenv with the
# pinned Python packages, and (when scripts exist for them) PostgreSQL and the Pulumi engine.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(cat requirements*.txt */requirements.txt */*/requirements.txt 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi

if [ "${CONVERGE_SKIP_POSTGRES:-}" != 1 ] && [ -x scripts/install-postgres.sh ]; then
  scripts/install-postgres.sh
fi
