#!/usr/bin/env bash
# Set up everything the program and its tests need on a fresh machine: the virtualenv with the
# pinned Python packages, PostgreSQL (for the backup tests), the workflow linters and the Pulumi engine.
# Idempotent: a second run only checks.
#
# Environment: CONVERGE_SKIP_POSTGRES=1, CONVERGE_SKIP_LINTERS=1, CONVERGE_SKIP_ENGINE=1 leave those out
# (previews and deploys run no tests).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(cat ./requirements*.txt ./*/requirements.txt ./*/*/requirements.txt 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi

if [ "${CONVERGE_SKIP_POSTGRES:-}" != 1 ]; then
  scripts/install-postgres.sh
fi

# The workflow linters: Debian's shellcheck (actionlint runs it on every workflow `run:` script) and actionlint
# (built from the Go module proxy into a cache outside the repo, unless its pinned version is installed).
if [ "${CONVERGE_SKIP_LINTERS:-}" != 1 ]; then
  if ! command -v shellcheck >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "setup: installing Debian's shellcheck package"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends shellcheck
  fi
  scripts/build-actionlint.sh >/dev/null
fi

# The Pulumi engine: a `pulumi` of the SDK's version (the pin in requirements.txt, which CI installs)
# needs nothing built. Otherwise scripts/build-engine.sh finds another installed `pulumi` or builds one
# from Go modules into a cache outside the repo (cold: ~10-20 minutes on 2 cores; cached: instant).
# The stand-in plugins are test doubles for an engine that cannot download provider plugins, so they are
# built only where the engine was built here (its bin dir carries the build key).
if [ "${CONVERGE_SKIP_ENGINE:-}" != 1 ]; then
  pinned=v$(sed -n 's/^pulumi==//p' requirements.txt)
  if [ "$(pulumi version 2>/dev/null)" = "$pinned" ]; then
    echo "setup: using the installed pulumi $pinned ($(command -v pulumi)): the SDK's version, nothing to build" >&2
  else
    engine_bin=$(scripts/build-engine.sh | tail -n 1)
    if [ -e "$engine_bin/.converge-build-key" ]; then
      scripts/build-standin-plugins.sh >/dev/null
    fi
  fi
fi
