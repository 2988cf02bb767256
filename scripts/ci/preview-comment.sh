#!/usr/bin/env bash
# CI (pull requests): renders the one pull-request comment of all stacks' previews with ops.comment from
# DIR/<stack>.jsonl and DIR/<stack>.status (scripts/ci/pr-preview.sh), and records as the step output
# `status` whether the pull request must fail: ops.comment's exit status, or 1 when a stack's preview
# failed or left nothing behind. It exits 0 itself so that the comment is posted before the run fails.
#
#   scripts/ci/preview-comment.sh DIR OUTPUT_FILE STACK...
set -uo pipefail

[ $# -ge 3 ] || { echo "usage: scripts/ci/preview-comment.sh DIR OUTPUT_FILE STACK..." >&2; exit 2; }
dir=$(realpath -m "$1")
output=$(realpath -m "$2")
shift 2
cd "$(dirname "$0")/../.." || exit 2
github_output=${GITHUB_OUTPUT:?GITHUB_OUTPUT is set by GitHub Actions}

args=() missing=() failed=0
for stack in "$@"; do
    if [ -s "$dir/$stack.jsonl" ]; then
        args+=(--stack "$stack=$dir/$stack.jsonl")
    else
        missing+=("$stack")
    fi
    [ "$(cat "$dir/$stack.status" 2>/dev/null)" = 0 ] || failed=1
done

if [ ${#args[@]} -gt 0 ]; then
    .venv/bin/python -m ops.comment "${args[@]}" --output "$output"
    status=$?
else
    : >"$output"
    status=1
fi
# A stack whose job stopped before its preview (or whose preview printed nothing) is named in the comment,
# so that the comment never looks complete when it is not.
for stack in "${missing[@]}"; do
    printf '\n**%s: no preview.** Its job stopped before the preview printed anything; see the run.\n' \
        "$stack" >>"$output"
done
if [ "$status" -eq 0 ] && [ "$failed" -ne 0 ]; then
    status=1
fi
echo "status=$status" >>"$github_output"
