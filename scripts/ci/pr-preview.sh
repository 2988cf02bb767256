#!/usr/bin/env bash
# CI (pull requests): previews one stack with the policy pack and saves the engine's event stream as
# DIR/STACK.jsonl and the preview's exit status as DIR/STACK.status, for the comment job (ops.comment).
# Exits with the preview's status, so a failed preview fails its job too.
#
#   scripts/ci/pr-preview.sh STACK DIR
set -uo pipefail

[ $# -eq 2 ] || { echo "usage: scripts/ci/pr-preview.sh STACK DIR" >&2; exit 2; }
stack=$1
mkdir -p "$2" || exit 2
dir=$(realpath "$2")
cd "$(dirname "$0")/../.." || exit 2

# Streaming: one JSON event per line as the engine emits them, so a preview that fails half-way still
# leaves the events (and diagnostics) it got to.
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json --stack "$stack" \
    --policy-pack policies --policy-pack-config "policies/config/$stack.json" >"$dir/$stack.jsonl"
status=$?
echo "$status" >"$dir/$stack.status"
exit "$status"
