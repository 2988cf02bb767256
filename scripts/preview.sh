#!/usr/bin/env bash
# The main job: `pulumi preview` of one stack with the policy pack, as CI runs it on a pull request,
# but on a throwaway local file backend with a passphrase secrets provider, so it needs no Pulumi Cloud
# account, no cloud credentials and changes none of the committed stack files.
#
#   scripts/preview.sh [dev|staging|prod]        (default: dev)
#
# It sets up .venv, finds the `pulumi` CLI or builds it from Go modules (scripts/build-engine.sh),
# copies the project's tracked files into .cache/preview/<stack>/project, creates the stack there and
# sets the two secrets the program requires: from CONVERGE_PREVIEW_SENDGRID_API_KEY and
# CONVERGE_PREVIEW_SMARTSHEET_API_KEY when set, otherwise with values labelled `local-preview` that are no real credentials.
#
# With the engine built here (no downloadable provider plugins on this machine), pulumi-random,
# pulumi-github and pulumi-docker are answered by the test doubles in tools/standin-providers, and the
# preview says so. With a `pulumi` installed the usual way, the real plugins are used.
set -euo pipefail

stack=${1:-dev}
case "$stack" in
    dev | staging | prod) ;;
    *)
        echo "usage: scripts/preview.sh [dev|staging|prod]" >&2
        exit 2
        ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

CONVERGE_SKIP_POSTGRES=1 CONVERGE_SKIP_LINTERS=1 scripts/setup.sh
engine_bin=$(scripts/build-engine.sh | tail -1)
export PATH="$engine_bin:$root/.venv/bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true

work="$root/.cache/preview/$stack"
rm -rf "$work"
mkdir -p "$work/state" "$work/project"
if [ -e "$engine_bin/.converge-build-key" ]; then
    export PULUMI_HOME
    PULUMI_HOME=$(scripts/build-standin-plugins.sh "$work/pulumi-home" | tail -1)
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
    echo "preview: pulumi-random, pulumi-github and pulumi-docker are answered by local TEST DOUBLES" \
        "(tools/standin-providers): this machine cannot download the real plugins" >&2
fi
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-converge-nps-local-preview}

# A copy, so that `pulumi stack init` and `config set --secret` write their salt and ciphertext there.
git ls-files -z | xargs -0 cp --parents -t "$work/project"
ln -s "$root/.venv" "$work/project/.venv"
cd "$work/project"

pulumi login --non-interactive "file://$work/state" >/dev/null
pulumi stack init --non-interactive --secrets-provider passphrase "$stack" >/dev/null
set_secret() { # key, environment variable, stand-in
    local value=${!2:-$3}
    pulumi config set --stack "$stack" --secret "converge-nps:$1" "$value" >/dev/null
}
set_secret sendgridApiKey CONVERGE_PREVIEW_SENDGRID_API_KEY "SG.local-preview-not-a-key"
set_secret smartsheetApiKey CONVERGE_PREVIEW_SMARTSHEET_API_KEY "local-preview-not-a-key"

exec pulumi preview --non-interactive --stack "$stack" --diff \
    --policy-pack "$work/project/policies" --policy-pack-config "$work/project/policies/config/$stack.json"
