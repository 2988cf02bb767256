#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server and client programs (initdb, pg_ctl, pg_dump, pg_restore) that the
# backup tests start a throwaway cluster with. Idempotent: does nothing when the binaries are there.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_BINDIR="/usr/lib/postgresql/${PG_MAJOR}/bin"

have_all() {
  local tool
  for tool in initdb pg_ctl postgres pg_dump pg_restore; do
    [ -x "${PG_BINDIR}/${tool}" ] || return 1
  done
}

if have_all; then
  echo "install-postgres: PostgreSQL ${PG_MAJOR} already installed in ${PG_BINDIR}"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

echo "install-postgres: installing Debian's postgresql package (PostgreSQL ${PG_MAJOR})"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y postgresql

if ! have_all; then
  echo "install-postgres: the postgresql package did not provide ${PG_BINDIR}; found:" >&2
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null >&2 || true
  echo "install-postgres: set PG_MAJOR to the installed version (and PG_BINDIR for the tests)" >&2
  exit 1
fi
echo "install-postgres: PostgreSQL ${PG_MAJOR} installed in ${PG_BINDIR}"
