#!/usr/bin/env bash
# CI: decides which backend image a run previews or deploys, always pinned by digest, and writes it as the
# step outputs `ref` and `app-commit`.
#
#   scripts/ci/image-ref.sh STACK
#
# A dispatch from the application repository (docs/app-repository/backend-image.yml) passes
# REQUESTED_ENVIRONMENT, REQUESTED_IMAGE and REQUESTED_APP_COMMIT, all three or none:
# - the environment must be the stack's (`converge-nps:environment`), so a dispatch for production on the
#   develop branch is refused rather than deploying somewhere nobody asked for;
# - the image must be <registry>/<repository>@sha256:<64 hex> in the stack's image repository
#   (`converge-nps:image.repository`): a tag can be moved after the approval, a digest cannot;
# - the commit (40 hex) is the application's commit the image was built from, checked out for migrations.
# Without a dispatch the stack keeps the image it runs now (its `backendImage` output), so a change to the
# infrastructure never changes the application, and `app-commit` is empty (no new migrations to run).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/ci/image-ref.sh STACK" >&2; exit 2; }
stack=$1
output=${GITHUB_OUTPUT:?GITHUB_OUTPUT is set by GitHub Actions}
environment=${REQUESTED_ENVIRONMENT:-} image=${REQUESTED_IMAGE:-} app_commit=${REQUESTED_APP_COMMIT:-}

fail() { echo "image-ref: $*" >&2; exit 1; }

# A registry host has a dot or a port (or is localhost): without one, Docker would read the first path
# component as a Docker Hub namespace. Path components follow the distribution spec's grammar.
component='[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*'
registry='(([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?(:[0-9]+)?|localhost(:[0-9]+)?|[a-z0-9]([a-z0-9-]*[a-z0-9])?:[0-9]+)'
pinned="^${registry}/${component}(/${component})*@sha256:[0-9a-f]{64}\$"

if [ -n "$environment$image$app_commit" ]; then
    if [ -z "$environment" ] || [ -z "$image" ] || [ -z "$app_commit" ]; then
        fail "a dispatch gives the environment, the image and the application commit together"
    fi
    stack_environment=$(pulumi config get converge-nps:environment --stack "$stack")
    [ "$environment" = "$stack_environment" ] ||
        fail "this run deploys stack $stack ($stack_environment), not $environment: dispatch it on that environment's branch"
    [[ $app_commit =~ ^[0-9a-f]{40}$ ]] || fail "the application commit must be 40 hex digits, not '$app_commit'"
    source="dispatched"
else
    image=$(pulumi stack output backendImage --stack "$stack" 2>/dev/null) ||
        fail "stack $stack has no backendImage output (never deployed?): dispatch an image; README, First deploy"
    source="running now"
fi

[[ $image =~ $pinned ]] || fail "'$image' is not <registry>/<repository>@sha256:<64 hex digits>"
repository=$(pulumi config get --path converge-nps:image.repository --stack "$stack")
[ "${image%@sha256:*}" = "$repository" ] || fail "'$image' is not in the stack's image repository $repository"

{
    echo "ref=$image"
    echo "app-commit=$app_commit"
} >>"$output"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    echo "Backend image of $stack ($source): \`$image\`" >>"$GITHUB_STEP_SUMMARY"
fi
