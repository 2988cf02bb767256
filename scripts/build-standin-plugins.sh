#!/usr/bin/env bash
# Builds the stand-in provider plugins -- TEST DOUBLES for pulumi-random,
# pulumi-github and pulumi-docker (tools/standin-providers, see its README) --
# and installs them with `pulumi plugin install resource NAME VERSION --file`
# into a Pulumi home for tests. Prints that PULUMI_HOME on the last line of
# stdout.
#
#   scripts/build-standin-plugins.sh [PULUMI_HOME]
#
# PULUMI_HOME defaults to $CONVERGE_PULUMI_HOME, then to
# <engine cache>/pulumi-home. The user's ~/.pulumi is refused: the doubles
# must never shadow real plugins there.
#
# The engine comes from scripts/build-engine.sh (built or found). The plugin
# binary is cached next to the engine, keyed on a hash of
# tools/standin-providers, and reinstalled only when it changed.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=${CONVERGE_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/converge-nps/engine}
pulumi_home=${1:-${CONVERGE_PULUMI_HOME:-$cache_root/pulumi-home}}

# name version: must equal the `version` in each Python package's
# pulumi-plugin.json (tests/engine checks this against the venv).
PLUGINS=(
    "random 4.21.4"
    "github 6.15.0"
    "docker 5.2.0"
)

log() { echo "build-standin-plugins: $*" >&2; }

mkdir -p "$pulumi_home"
pulumi_home=$(cd "$pulumi_home" && pwd -P)
if [[ "$pulumi_home" == "$(cd "$HOME" && pwd -P)/.pulumi" ]]; then
    log "refusing to install test doubles into the user's $pulumi_home"
    exit 1
fi

engine_bin=$("$repo_root/scripts/build-engine.sh" | tail -1)
export PATH="$engine_bin:$PATH"

src="$repo_root/tools/standin-providers"
key=$(cd "$src" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
out_dir="$cache_root/standin-providers/$key"
binary="$out_dir/pulumi-resource-standin"

if [[ ! -x "$binary" ]]; then
    command -v go >/dev/null || { log "go is required to build the stand-in plugins"; exit 1; }
    mkdir -p "$cache_root/standin-providers"
    exec 9>"$cache_root/standin-providers/.lock"
    flock 9
    if [[ ! -x "$binary" ]]; then
        log "building stand-in provider plugins (test doubles) ($key)"
        stage=$(mktemp -d "$cache_root/standin-providers/.stage.XXXXXX")
        (cd "$src" && GOFLAGS="-mod=readonly ${GOFLAGS:-}" go build -trimpath -o "$stage/pulumi-resource-standin" .) >&2
        rm -rf "$out_dir"
        mv "$stage" "$out_dir"
    fi
    exec 9>&-
fi

want=$(sha256sum "$binary" | cut -d' ' -f1)
export PULUMI_HOME="$pulumi_home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
for entry in "${PLUGINS[@]}"; do
    read -r name version <<<"$entry"
    installed="$pulumi_home/plugins/resource-$name-v$version/pulumi-resource-$name"
    if [[ -f "$installed" && "$(sha256sum "$installed" | cut -d' ' -f1)" == "$want" ]]; then
        continue
    fi
    log "installing stand-in (test double) resource plugin $name $version into $pulumi_home"
    pulumi plugin install resource "$name" "$version" --file "$binary" --reinstall >&2
    [[ -x "$installed" ]] || { log "expected $installed after install"; exit 1; }
done
echo "$pulumi_home"
