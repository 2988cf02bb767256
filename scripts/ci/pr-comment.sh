#!/usr/bin/env bash
# CI (pull requests): posts one stack's report as a comment on the pull request, or updates the comment
# this script posted before for that stack, so each stack keeps one comment that always shows the latest
# push. The comment is found by a marker on its first line.
#
#   scripts/ci/pr-comment.sh STACK PR_NUMBER REPORT_FILE
#
# Needs GH_TOKEN (pull-requests: write) and GITHUB_REPOSITORY (owner/name; set by GitHub Actions).
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: scripts/ci/pr-comment.sh STACK PR_NUMBER REPORT_FILE" >&2; exit 2; }
stack=$1 pr=$2 report=$3
repository=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is set by GitHub Actions}

# gh's jq reads the marker from the environment, so the stack name is never spliced into the filter.
export MARKER="<!-- converge-nps cost and policy report: $stack -->"
comment_id=$(gh api "repos/$repository/issues/$pr/comments" --paginate \
    --jq '.[] | select(.body | startswith(env.MARKER)) | .id' | head -n 1)
if [ -n "$comment_id" ]; then
    gh api -X PATCH "repos/$repository/issues/comments/$comment_id" -F "body=@$report" >/dev/null
else
    gh pr comment "$pr" --repo "$repository" --body-file "$report"
fi
