#!/usr/bin/env bash
# CI (deploy and backup jobs): installs the PostgreSQL client of MAJOR from the PGDG repository (pg_dump
# must be at least the server's major version) and writes its bin directory as the step output `pg-bin`,
# the PG_BIN of the steps that run ops.backup.
#
#   scripts/ci/postgresql-client.sh MAJOR
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/ci/postgresql-client.sh MAJOR" >&2; exit 2; }
[[ $1 =~ ^[0-9]+$ ]] || { echo "postgresql-client: '$1' is not a PostgreSQL major version" >&2; exit 2; }
sudo /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y
sudo apt-get install -y --no-install-recommends "postgresql-client-$1"
echo "pg-bin=/usr/lib/postgresql/$1/bin" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is set by GitHub Actions}"
