#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter; it runs shellcheck on every `run:` script) from
# the Go module proxy into a cache outside the repo, and prints the directory holding `actionlint` on the
# LAST line of stdout:
#
#   PATH="$(scripts/build-actionlint.sh | tail -1):$PATH"
#
# Its PyPI wrapper downloads a release binary from a host our machines cannot reach; the module proxy
# they can. An `actionlint` of the pinned version on PATH is used as it is. The cache is ${CONVERGE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/converge-nps}/actionlint/<version>/bin,
# built once per version (a few seconds when the modules are cached). Progress goes to stderr.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
cache_root=${CONVERGE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/converge-nps}
bin_dir="$cache_root/actionlint/$ACTIONLINT_VERSION/bin"

log() { echo "build-actionlint: $*" >&2; }

# An actionlint of this version installed some other way needs no Go.
if existing=$(command -v actionlint 2>/dev/null) && [[ "$("$existing" -version 2>/dev/null | head -n 1)" == "$ACTIONLINT_VERSION" ]]; then
    dirname "$existing"
    exit 0
fi
if [[ -x "$bin_dir/actionlint" ]]; then
    echo "$bin_dir"
    exit 0
fi
command -v go >/dev/null || { log "go is required to build actionlint"; exit 1; }

mkdir -p "$(dirname "$bin_dir")"
# One build at a time per cache; the new bin dir appears whole, by rename.
exec 9>"$(dirname "$bin_dir")/.lock"
flock 9
if [[ ! -x "$bin_dir/actionlint" ]]; then
    log "building actionlint $ACTIONLINT_VERSION from the Go module proxy"
    stage=$(mktemp -d "$(dirname "$bin_dir")/.stage.XXXXXX")
    trap 'rm -rf "$stage"' EXIT
    GOBIN="$stage" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
    rm -rf "$bin_dir"
    mv "$stage" "$bin_dir"
fi
echo "$bin_dir"
