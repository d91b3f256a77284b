#!/usr/bin/env bash
# Make the Pulumi CLI, its Python language host and its two Python scripts available, and with
# `--all-hosts` the YAML, Node.js and Go language hosts too; print the folder that holds them (stdout carries
# only that folder; progress goes to stderr: a build prints one line per stage with the seconds elapsed,
# and Go's own output goes to a log file beside the cache entry, whose path it prints).
#
# Order of preference:
#   1. the first `pulumi` on PATH that is not tools/pulumi (a folder with tools/ in it may come first on
#      PATH), at $PULUMI_VERSION or newer, that comes with a Python language host (pulumi-language-python)
#      and the dynamic provider plugin (pulumi-resource-pulumi-python);
#   2. a finished build in the cache, keyed by both versions below;
#   3. the official release archive, when the internet is reachable, checked against its published
#      SHA-256 sums;
#   4. a build from the Go module proxy: the CLI (pkg/v3 at $PULUMI_VERSION), the Python language host
#      (sdk/v3 at $LANGUAGE_HOST_VERSION, the newest sdk/v3 that carries it: its own module is not
#      served), and the scripts pulumi-language-python-exec and pulumi-resource-pulumi-python from
#      sdk/v3 at $PULUMI_VERSION.
# With --all-hosts, the YAML language host (pulumi-language-yaml of pulumi-yaml at $YAML_HOST_VERSION) must
# sit beside a CLI on PATH (1); otherwise the printed folder is a cache entry of its own, keyed by all three
# versions: the parts of the CLI's entry (2, 3 or 4), hard-linked, and the YAML host (the official
# installer's, or built from the Go module proxy with a plain `go install`, about a minute). So adding
# or moving the YAML host never rebuilds the CLI.
# Idempotent: a cache entry is finished only when every part is there and its marker is written,
# which happens last; anything else (an interrupted or failed build) is built again from scratch.
# The Node.js language host (pulumi-language-nodejs of sdk/v3 at $LANGUAGE_HOST_VERSION, built like the
# Python host) and the Go language host (pulumi-language-go of sdk/v3 at $GO_HOST_VERSION, likewise) join
# the printed folder the same way as the YAML host, and their versions are in that key.
set -euo pipefail
ALL_HOSTS=false
case "${1:-}" in
  --all-hosts) ALL_HOSTS=true ;;
  "") ;;
  *) echo "usage: tools/ensure-pulumi.sh [--all-hosts]" >&2; exit 2 ;;
esac

PULUMI_VERSION="3.274.1"         # the CLI; the one place its version is named
LANGUAGE_HOST_VERSION="3.68.0"   # sdk/v3 version whose python/cmd/pulumi-language-python is built
YAML_HOST_VERSION="1.25.0"       # github.com/pulumi/pulumi-yaml version whose cmd/pulumi-language-yaml is built
GO_HOST_VERSION="3.66.0"         # the newest sdk/v3 that carries go/pulumi-language-go, which is built
CACHE_ROOT="${PIXVERSE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-pixverse}"
DEST="$CACHE_ROOT/pulumi-v$PULUMI_VERSION-python-host-v$LANGUAGE_HOST_VERSION"
MARKER="$DEST/.complete"
PARTS=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)
YAML_HOST="pulumi-language-yaml"
NODE_HOST="pulumi-language-nodejs"
GO_HOST="pulumi-language-go"
# the printed folder: DEST's parts (linked), the YAML host, the Node.js host and the Go host
OUT="$DEST-yaml-host-v$YAML_HOST_VERSION-nodejs-host-v$LANGUAGE_HOST_VERSION-go-host-v$GO_HOST_VERSION"
MODULE_ROOT="github.com/pulumi/pulumi"
WRAPPER="$(dirname "${BASH_SOURCE[0]}")/pulumi"  # tools/pulumi, which runs this script: never taken for the CLI

say() { echo "ensure-pulumi: $*" >&2; }

version_at_least() {  # version_at_least HAVE WANT -> true when HAVE >= WANT (both x.y.z)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

has_every_part() {  # has_every_part DIR
  local part
  for part in "${PARTS[@]}"; do [ -x "$1/$part" ] || return 1; done
}

path_cli() {  # the first `pulumi` on PATH that is not tools/pulumi (by any name: symlink or hard link)
  local dir dirs
  IFS=: read -r -a dirs <<<"$PATH"
  for dir in "${dirs[@]}"; do
    [ -f "${dir:-.}/pulumi" ] && [ -x "${dir:-.}/pulumi" ] && [ ! "${dir:-.}/pulumi" -ef "$WRAPPER" ] \
      && { echo "${dir:-.}/pulumi"; return; }
  done
  return 1
}

use_path_cli() {
  local cli have dir
  cli="$(path_cli)" || return 1
  dir="$(dirname "$cli")"
  case "$dir" in "$CACHE_ROOT"/*) return 1 ;; esac   # our own cache is judged by use_output, markers included
  # asked with PIXVERSE_PULUMI_BOOTSTRAP set: a `pulumi` that runs tools/pulumi in turn fails at once
  have="$(PIXVERSE_PULUMI_BOOTSTRAP=1 "$cli" version 2>/dev/null | sed 's/^v//')" || return 1
  version_at_least "$have" "$PULUMI_VERSION" || { say "pulumi $have on PATH is older than $PULUMI_VERSION"; return 1; }
  has_every_part "$dir" || { say "pulumi $have on PATH has no Python language host beside it"; return 1; }
  [ "$ALL_HOSTS" = true ] || { echo "$dir"; return; }
  [ -x "$dir/$YAML_HOST" ] || { say "pulumi $have on PATH has no YAML language host beside it"; return 1; }
  [ -x "$dir/$NODE_HOST" ] || { say "pulumi $have on PATH has no Node.js language host beside it"; return 1; }
  [ -x "$dir/$GO_HOST" ] || { say "pulumi $have on PATH has no Go language host beside it"; return 1; }
  echo "$dir"
}

use_output() {  # the printed folder, finished, made from a finished CLI entry
  [ -f "$OUT/.complete" ] && [ -f "$MARKER" ] || return 1
  if ! has_every_part "$OUT/bin" || [ ! -x "$OUT/bin/$YAML_HOST" ] || [ ! -x "$OUT/bin/$NODE_HOST" ] \
    || [ ! -x "$OUT/bin/$GO_HOST" ]; then
    say "the cache in $OUT is incomplete: assembling it again"
    return 1
  fi
  echo "$OUT/bin"
}

with_all_hosts() {  # with_all_hosts CLI_DIR: assemble the printed folder, marker last: CLI_DIR's parts
  # (hard links: the CLI looks for language hosts beside its resolved executable and warns about any
  # it finds on PATH instead) and the YAML, Node.js and Go hosts (CLI_DIR's own when it has them, else built)
  local staging="$OUT.partial" part
  rm -rf "$staging" && mkdir -p "$staging/bin"
  for part in "${PARTS[@]}" "$YAML_HOST" "$NODE_HOST" "$GO_HOST"; do
    [ ! -x "$1/$part" ] || ln "$1/$part" "$staging/bin/$part" 2>/dev/null || cp "$1/$part" "$staging/bin/$part"
  done
  if { [ ! -x "$staging/bin/$YAML_HOST" ] && ! build_yaml_host "$staging/bin"; } \
    || { [ ! -x "$staging/bin/$NODE_HOST" ] \
      && ! build_sdk_host Node.js "nodejs/cmd/$NODE_HOST" "$LANGUAGE_HOST_VERSION" "$staging/bin/$NODE_HOST"; } \
    || { [ ! -x "$staging/bin/$GO_HOST" ] \
      && ! build_sdk_host Go "go/$GO_HOST" "$GO_HOST_VERSION" "$staging/bin/$GO_HOST"; }; then
    rm -rf "$staging"
    return 1
  fi
  rm -rf "$OUT" && mv "$staging" "$OUT"
  touch "$OUT/.complete"
  stage "done: pulumi $("$OUT/bin/pulumi" version) with its Python, YAML, Node.js and Go language hosts ready in" \
    "$OUT/bin"
  echo "$OUT/bin"
}

build_yaml_host() {  # build_yaml_host DIR: pulumi-language-yaml into DIR, from the Go module proxy (no replaces)
  command -v go >/dev/null 2>&1 || { say "no Go toolchain: cannot build the YAML language host"; return 1; }
  stage "compile: the YAML language host v$YAML_HOST_VERSION (about a minute; Go's output: $BUILD_LOG)"
  logged "compile the YAML language host" env GOTOOLCHAIN=local GOBIN="$1" CGO_ENABLED=0 go install -trimpath \
    -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_HOST_VERSION" \
    "github.com/pulumi/pulumi-yaml/cmd/$YAML_HOST@v$YAML_HOST_VERSION"
}

build_sdk_host() {  # build_sdk_host WHAT PACKAGE VERSION OUTPUT: the language host at PACKAGE of sdk/v3
  # at VERSION (its own module is not served) into OUTPUT, from the Go module proxy, like the Python host
  local what="$1" package="$MODULE_ROOT/sdk/v3/$2" version="$3" work status=0
  command -v go >/dev/null 2>&1 || { say "no Go toolchain: cannot build the $what language host"; return 1; }
  export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
  work="$(mktemp -d)"
  stage "compile: the $what language host (sdk/v3 v$version; Go's output: $BUILD_LOG)"
  logged "resolve the $what language host's module" prepare_module "$work" "$MODULE_ROOT/sdk/v3@v$version" \
    && logged "download the $what language host's modules" in_dir "$work" go get "$package@v$version" \
    && logged "compile the $what language host" compile "$work" "$package" "v$version" "$4" \
    || status=1
  rm -rf "$work"
  return "$status"
}

use_cache() {
  [ -f "$MARKER" ] || return 1
  if ! has_every_part "$DEST/bin"; then
    say "the cache in $DEST is incomplete: building it again"
    return 1
  fi
  echo "$DEST/bin"
}

finish() {  # finish STAGING: move a complete staging folder into place, marker last
  has_every_part "$1/bin" || { say "build in $1 is missing a part"; return 1; }
  rm -rf "$DEST" && mv "$1" "$DEST"
  touch "$MARKER"
  say "pulumi $("$DEST/bin/pulumi" version) ready in $DEST/bin"
  echo "$DEST/bin"
}

install_official() {  # the release archive of get.pulumi.com, checked against its SHA-256 sums, never run
  command -v curl >/dev/null 2>&1 || return 1
  local base="https://get.pulumi.com/releases/sdk" os arch archive work staging="$DEST.partial"
  curl -fsS --max-time 5 -o /dev/null "$base/pulumi-$PULUMI_VERSION-checksums.txt" 2>/dev/null \
    || { say "official releases not reachable"; return 1; }
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) return 1 ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) return 1 ;; esac
  archive="pulumi-v$PULUMI_VERSION-$os-$arch.tar.gz"
  say "downloading pulumi v$PULUMI_VERSION ($archive) from the official releases"
  work="$(mktemp -d)"
  if ! curl -fsSL -o "$work/$archive" "$base/$archive" \
    || ! curl -fsSL -o "$work/checksums.txt" "$base/pulumi-$PULUMI_VERSION-checksums.txt" \
    || ! (cd "$work" && grep "  $archive\$" checksums.txt | sha256sum --check --status); then
    say "the download failed or does not match its published SHA-256 sum: not used"
    rm -rf "$work"
    return 1
  fi
  rm -rf "$staging" && mkdir -p "$staging/bin"
  tar -xzf "$work/$archive" -C "$work" && cp "$work"/pulumi/* "$staging/bin/"
  rm -rf "$work"
  finish "$staging"
}

# The builds from the Go module proxy: one line per stage on stderr, with the seconds since this began;
# everything Go prints goes to $BUILD_LOG (its path is printed first); a failed stage prints the last
# 30 lines of that log and its path.
BUILD_LOG="$DEST.log"

stage() { printf 'ensure-pulumi: [%4ss] %s\n' "$SECONDS" "$*" >&2; }

logged() {  # logged WHAT COMMAND...: run COMMAND with its output in the log; on failure show the log's end
  local what="$1"
  shift
  echo "### $what: $*" >>"$BUILD_LOG"
  "$@" >>"$BUILD_LOG" 2>&1 && return 0
  stage "failed to $what; the last 30 lines of $BUILD_LOG:"
  tail -n 30 "$BUILD_LOG" | sed 's/^/    /' >&2
  say "the whole log: $BUILD_LOG"
  return 1
}

# prepare_module DIR MODULE@VERSION: make DIR a throwaway module that copies the non-local replace
# directives of MODULE's go.mod at VERSION (its local ones point into pulumi's repository).
prepare_module() {
  local dir="$1" module_at="$2" gomod
  mkdir -p "$dir"
  gomod="$(cd "$dir" && go mod download -json "$module_at" 2>>"$BUILD_LOG" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("GoMod") or sys.exit(d.get("Error")))' \
    2>>"$BUILD_LOG")" || return 1
  (cd "$dir" && go mod init pulumi-pixverse-cli-build && go mod edit -json "$gomod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"].get("Version"):
        old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
        new = r["New"]["Path"] + "@" + r["New"]["Version"]
        print(f"-replace={old}={new}")
' | xargs -r go mod edit)
}

in_dir() { local dir="$1"; shift; (cd "$dir" && "$@"); }

# compile DIR PACKAGE VERSION OUTPUT: build PACKAGE in the module DIR, its version stamped VERSION.
compile() {
  (cd "$1" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-X $MODULE_ROOT/sdk/v3/go/common/version.Version=$3" -o "$4" "$2")
}

build_from_go_proxy() {
  command -v go >/dev/null 2>&1 || { say "no Go toolchain: cannot build pulumi"; return 1; }
  export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
  local staging="$DEST.partial" work sdk_dir
  local cli="$MODULE_ROOT/pkg/v3/cmd/pulumi" host="$MODULE_ROOT/sdk/v3/python/cmd/pulumi-language-python"
  rm -rf "$staging" && mkdir -p "$staging/bin" "$CACHE_ROOT"
  : >"$BUILD_LOG"
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # the folder is known now; the trap runs after this function returned
  trap "rm -rf '$work'" EXIT
  say "building pulumi v$PULUMI_VERSION and its Python language host from the Go module proxy, once (a few"
  say "minutes); Go's output: $BUILD_LOG"
  stage "resolve: pulumi v$PULUMI_VERSION (pkg/v3), the Python language host (sdk/v3 v$LANGUAGE_HOST_VERSION)"
  logged "resolve the CLI's module" prepare_module "$work/cli" "$MODULE_ROOT/pkg/v3@v$PULUMI_VERSION" || return 1
  logged "resolve the language host's module" \
    prepare_module "$work/python" "$MODULE_ROOT/sdk/v3@v$LANGUAGE_HOST_VERSION" || return 1
  stage "download: the modules they need from the Go module proxy"
  logged "download the CLI's modules" \
    in_dir "$work/cli" go get "$cli@v$PULUMI_VERSION" "$MODULE_ROOT/sdk/v3@v$PULUMI_VERSION" || return 1
  logged "download the language host's modules" \
    in_dir "$work/python" go get "$host@v$LANGUAGE_HOST_VERSION" || return 1
  sdk_dir="$(cd "$work/cli" && go mod download -json "$MODULE_ROOT/sdk/v3@v$PULUMI_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  stage "compile: the CLI (the longest stage)"
  logged "compile the CLI" compile "$work/cli" "$cli" "v$PULUMI_VERSION" "$staging/bin/pulumi" || return 1
  stage "compile: the Python language host"
  logged "compile the Python language host" \
    compile "$work/python" "$host" "v$LANGUAGE_HOST_VERSION" "$staging/bin/pulumi-language-python" || return 1
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$staging/bin/"
  install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$staging/bin/"
  finish "$staging"
}

if [ "$ALL_HOSTS" = true ]; then
  use_path_cli || use_output || { cli_dir="$(use_cache || install_official || build_from_go_proxy)" && with_all_hosts "$cli_dir"; }
else
  use_path_cli || use_cache || install_official || build_from_go_proxy
fi
