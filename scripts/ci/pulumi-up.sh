#!/usr/bin/env bash
# CI (deploy job): `pulumi up --refresh` of one stack with the policy pack, then its outputs as
# outputs.json for the deploy steps after it (docs/deploy.md). With PLAN, exactly that saved plan is
# applied (`--plan`): production's, which its reviewers approved. Production is refused without one, so a
# workflow edit that loses the plan job cannot turn into an unreviewed apply.
#
#   scripts/ci/pulumi-up.sh STACK [PLAN_FILE]
set -euo pipefail

[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: scripts/ci/pulumi-up.sh STACK [PLAN_FILE]" >&2; exit 2; }
stack=$1 plan=${2:-}
cd "$(dirname "$0")/../.."

args=(up --stack "$stack" --yes --diff --refresh --policy-pack policies --policy-pack-config "policies/config/$stack.json")
if [ -n "$plan" ]; then
    args+=(--plan "$plan")
elif [ "$(pulumi config get converge-nps:environment --stack "$stack")" = production ]; then
    echo "pulumi-up: production is applied only from its approved plan (PLAN_FILE)" >&2
    exit 2
fi
pulumi "${args[@]}"
pulumi stack output --stack "$stack" --json >outputs.json
