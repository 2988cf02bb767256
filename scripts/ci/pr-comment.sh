#!/usr/bin/env bash
# CI (pull requests): posts the previews' comment on the pull request, or updates the one posted before,
# so the pull request keeps one comment that always shows the latest push. The comment is found by the
# marker ops.comment writes; a body without it gets it first, or every push would add a comment.
#
#   scripts/ci/pr-comment.sh PR_NUMBER COMMENT_FILE
#
# Needs GH_TOKEN (pull-requests: write) and GITHUB_REPOSITORY (owner/name; set by GitHub Actions).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: scripts/ci/pr-comment.sh PR_NUMBER COMMENT_FILE" >&2; exit 2; }
pr=$1 comment=$2
repository=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is set by GitHub Actions}

# gh's jq reads the marker from the environment, so it is never spliced into the filter.
export MARKER="<!-- converge-nps:preview -->"
body=$(mktemp)
trap 'rm -f "$body"' EXIT
if grep -qF -- "$MARKER" "$comment"; then
    cp "$comment" "$body"
else
    { echo "$MARKER"; cat "$comment"; } >"$body"
fi

comment_id=$(gh api "repos/$repository/issues/$pr/comments" --paginate \
    --jq '.[] | select(.body | contains(env.MARKER)) | .id' | head -n 1)
if [ -n "$comment_id" ]; then
    gh api -X PATCH "repos/$repository/issues/comments/$comment_id" -F "body=@$body" >/dev/null
else
    gh pr comment "$pr" --repo "$repository" --body-file "$body"
fi
