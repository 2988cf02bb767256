#!/usr/bin/env bash
# Builds (or finds) the Pulumi engine used by Converge-NPS and prints the
# directory holding `pulumi` on the LAST line of stdout, so callers can do
#
#   PATH="$(scripts/build-engine.sh | tail -1):$PATH"
#
# 1. If a `pulumi` CLI that is not ours is already on PATH (a laptop, GitHub
#    Actions), print its directory and build nothing.
# 2. Otherwise build Pulumi v3.274.1 from the Go module proxy through our
#    wrapper module tools/engine/ (pulumi's own go.mod files carry `replace`
#    directives that break `go install ...@v3.274.1`), into a cache outside
#    the repo:
#      ${CONVERGE_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/converge-nps/engine}/v3.274.1/bin
#    It holds: pulumi (the CLI and engine), pulumi-language-python (our own
#    minimal Python language host, tools/engine/converge-language-python: the
#    upstream one is not served by the module proxy), and, copied from the
#    sdk/v3 module with the run bit, pulumi-language-python-exec (the program
#    executor) and pulumi-resource-pulumi-python (the dynamic-provider host).
#    The build is redone only when the bin dir is missing or tools/engine/
#    changed (its hash is stamped in bin/.converge-build-key).
#
# Environment:
#   CONVERGE_ENGINE_CACHE        cache root (see above)
#   CONVERGE_ENGINE_FORCE_BUILD  1 = build ours even if another pulumi is on PATH
# Progress goes to stderr; only the bin dir goes to stdout.
set -euo pipefail

ENGINE_VERSION=v3.274.1
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=${CONVERGE_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/converge-nps/engine}
version_dir="$cache_root/$ENGINE_VERSION"
bin_dir="$version_dir/bin"
marker=.converge-build-key

log() { echo "build-engine: $*" >&2; }

# --- 1. an installed pulumi that is not ours --------------------------------
if [[ "${CONVERGE_ENGINE_FORCE_BUILD:-0}" != 1 ]] && existing=$(command -v pulumi 2>/dev/null); then
    existing_dir=$(cd "$(dirname "$existing")" && pwd -P)
    if [[ ! -e "$existing_dir/$marker" ]]; then
        log "using the pulumi CLI already installed at $existing ($("$existing" version 2>/dev/null || echo 'version unknown'))"
        echo "$existing_dir"
        exit 0
    fi
fi

# --- 2. our build, cached ---------------------------------------------------
command -v go >/dev/null || { log "go is required to build the engine"; exit 1; }

engine_mod="$repo_root/tools/engine"
key=$(cd "$engine_mod" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)

if [[ -f "$bin_dir/$marker" && "$(cat "$bin_dir/$marker")" == "$key" ]]; then
    log "cached engine $ENGINE_VERSION ($key) in $bin_dir"
    echo "$bin_dir"
    exit 0
fi

mkdir -p "$version_dir"
# One build at a time per cache (a developer and CI may share the machine).
exec 9>"$version_dir/.lock"
flock 9
if [[ -f "$bin_dir/$marker" && "$(cat "$bin_dir/$marker")" == "$key" ]]; then
    log "cached engine $ENGINE_VERSION ($key) in $bin_dir (built by a concurrent run)"
    echo "$bin_dir"
    exit 0
fi

log "building Pulumi $ENGINE_VERSION from the Go module proxy (key $key); a cold build takes several minutes"
start=$(date +%s)
stage=$(mktemp -d "$version_dir/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"

cd "$engine_mod"
export GOFLAGS="-mod=readonly ${GOFLAGS:-}"
ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ENGINE_VERSION"
go build -trimpath -ldflags "$ldflags" -o "$stage/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
go build -trimpath -ldflags "$ldflags" -o "$stage/bin/pulumi-language-python" ./converge-language-python >&2

sdk_dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
for f in python/cmd/pulumi-language-python-exec python/dist/pulumi-resource-pulumi-python; do
    install -m 0755 "$sdk_dir/$f" "$stage/bin/$(basename "$f")"
done
echo "$key" >"$stage/bin/$marker"

built_version=$("$stage/bin/pulumi" version)
[[ "$built_version" == "$ENGINE_VERSION" ]] || { log "built pulumi reports $built_version, expected $ENGINE_VERSION"; exit 1; }

rm -rf "$bin_dir.old"
[[ -d "$bin_dir" ]] && mv "$bin_dir" "$bin_dir.old"
mv "$stage/bin" "$bin_dir"
rm -rf "$bin_dir.old"
log "built engine $ENGINE_VERSION in $(( $(date +%s) - start ))s into $bin_dir"
echo "$bin_dir"
