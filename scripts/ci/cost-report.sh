#!/usr/bin/env bash
# CI (pull requests): writes the cost and policy report of one stack as Markdown, compared with the base
# branch, and records ops.report's exit status as the step output `status`. It exits 0 itself so the
# workflow can comment the report before failing on a mandatory violation (status 1).
#
#   scripts/ci/cost-report.sh STACK BASE_REF OUTPUT_FILE
set -uo pipefail

[ $# -eq 3 ] || { echo "usage: scripts/ci/cost-report.sh STACK BASE_REF OUTPUT_FILE" >&2; exit 2; }
stack=$1 base=$2
output=$(realpath -m "$3")
cd "$(dirname "$0")/../.." || exit 2

.venv/bin/python -m ops.report --stack "$stack" --format markdown --base "$base" >"$output"
status=$?
echo "status=$status" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is set by GitHub Actions}"
