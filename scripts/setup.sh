#!/usr/bin/env bash
# Set up everything the program and its tests need on a fresh machine: the virtualenv with the
# pinned Python packages, PostgreSQL (for the backup tests) and the Pulumi engine.
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

if [ "${CONVERGE_SKIP_POSTGRES:-}" != 1 ]; then
  scripts/install-postgres.sh
fi

# The Pulumi engine: an installed `pulumi`, or built from Go modules into a cache outside the repo
# (cold: ~10-20 minutes on 2 cores; cached: instant). The stand-in plugins are test doubles for the
# engine tests and for scripts/preview.sh on machines that cannot download provider plugins.
if [ "${CONVERGE_SKIP_ENGINE:-}" != 1 ]; then
  scripts/build-engine.sh >/dev/null
  scripts/build-standin-plugins.sh >/dev/null
fi
