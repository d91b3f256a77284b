#!/usr/bin/env bash
# Make the Pulumi CLI and its dynamic provider plugin available; print the folder that holds them.
#
# Order of preference (each step says what it does on stderr; stdout carries only the folder):
#   1. a `pulumi` already on PATH whose version is at least $PULUMI_VERSION, with the dynamic provider
#      plugin (pulumi-resource-pulumi-python) beside it;
#   2. a build or install already in the cache, keyed by version;
#   3. the official installer, when the internet is reachable;
#   4. a build from the Go module proxy: the CLI (pkg/v3), the Python language host at the same commit
#      when the proxy serves it (the project drives the CLI through Automation API inline programs,
#      which need no language host, so its absence is reported, not fatal), and the two scripts of
#      the sdk/v3 module.
# Idempotent: a finished cache entry carries a marker and is reused as it is. Nothing goes in the repo.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-3.259.0}"
CACHE_ROOT="${PIXVERSE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-pixverse}"
DEST="$CACHE_ROOT/pulumi-v$PULUMI_VERSION"
MARKER="$DEST/.complete"
MODULE_ROOT="github.com/pulumi/pulumi"
VERSION_FLAG="-X $MODULE_ROOT/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"

say() { echo "ensure-pulumi: $*" >&2; }

version_at_least() {  # version_at_least HAVE WANT -> true when HAVE >= WANT (both x.y.z)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

use_path_cli() {
  local cli have
  cli="$(command -v pulumi 2>/dev/null)" || return 1
  command -v pulumi-resource-pulumi-python >/dev/null 2>&1 || return 1
  have="$("$cli" version 2>/dev/null | sed 's/^v//')" || return 1
  version_at_least "$have" "$PULUMI_VERSION" || { say "pulumi $have on PATH is older than $PULUMI_VERSION"; return 1; }
  say "using pulumi $have from PATH"
  dirname "$cli"
}

use_cache() {
  [ -f "$MARKER" ] && [ -x "$DEST/bin/pulumi" ] || return 1
  say "using cached pulumi v$PULUMI_VERSION in $DEST/bin"
  echo "$DEST/bin"
}

install_official() {
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsS --max-time 5 -o /dev/null https://get.pulumi.com 2>/dev/null || { say "official installer not reachable"; return 1; }
  say "installing pulumi v$PULUMI_VERSION with the official installer"
  rm -rf "$DEST"
  curl -fsSL https://get.pulumi.com | sh -s -- --version "$PULUMI_VERSION" --install-root "$DEST" --no-edit-path >&2
  touch "$MARKER"
  echo "$DEST/bin"
}

# build_from_proxy MODULE@VERSION PACKAGE OUTPUT: build one main package in a throwaway module that
# copies the non-local replace directives of MODULE's own go.mod (its local ones point into pulumi's repo).
build_from_proxy() {
  local module_at="$1" package="$2" output="$3" work gomod
  work="$(mktemp -d)"
  if ! gomod="$(cd "$work" && go mod download -json "$module_at" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("GoMod") or sys.exit(d.get("Error")))')"; then
    rm -rf "$work"
    return 1
  fi
  (
    cd "$work"
    go mod init pulumi-pixverse-cli-build >/dev/null 2>&1
    go mod edit -json "$gomod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"].get("Version"):
        old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
        new = r["New"]["Path"] + "@" + r["New"]["Version"]
        print(f"-replace={old}={new}")
' | xargs -r go mod edit
    say "resolving $package"
    go get "$package@${module_at#*@}" "$MODULE_ROOT/sdk/v3@v$PULUMI_VERSION" >&2
    say "compiling $package (a cold build takes several minutes)"
    CGO_ENABLED=0 go build -trimpath -ldflags "$VERSION_FLAG" -o "$output" "$package" >&2
  )
  rm -rf "$work"
}

build_from_go_proxy() {
  command -v go >/dev/null 2>&1 || { say "no Go toolchain: cannot build pulumi"; return 1; }
  export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
  local staging commit sdk_dir
  staging="$DEST.partial"
  rm -rf "$staging" && mkdir -p "$staging/bin"
  say "building pulumi v$PULUMI_VERSION from the Go module proxy into $DEST"
  build_from_proxy "$MODULE_ROOT/pkg/v3@v$PULUMI_VERSION" "$MODULE_ROOT/pkg/v3/cmd/pulumi" "$staging/bin/pulumi"
  commit="$(cd "$staging" && go mod download -json "$MODULE_ROOT/pkg/v3@v$PULUMI_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Origin"]["Hash"][:12])')"
  say "building the Python language host at commit $commit"
  if ! build_from_proxy "$MODULE_ROOT/sdk/python/cmd/pulumi-language-python/v3@$commit" \
    "$MODULE_ROOT/sdk/python/cmd/pulumi-language-python/v3" "$staging/bin/pulumi-language-python"; then
    say "the Go module proxy does not serve the Python language host at $commit: continuing without it"
    say "(Automation API inline programs, which this project uses, do not need it)"
  fi
  sdk_dir="$(cd "$staging" && go mod download -json "$MODULE_ROOT/sdk/v3@v$PULUMI_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$staging/bin/"
  install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$staging/bin/"
  rm -rf "$DEST" && mv "$staging" "$DEST"
  touch "$MARKER"
  say "pulumi $("$DEST/bin/pulumi" version) ready in $DEST/bin"
  echo "$DEST/bin"
}

use_path_cli || use_cache || install_official || build_from_go_proxy
