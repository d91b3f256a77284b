#!/usr/bin/env bash
# Source me: prepares the project's virtualenv (.venv, with the package and its dev tools) and the
# Pulumi CLI (tools/ensure-pulumi.sh), then puts both on PATH. Safe to run again: each step is skipped
# when its result is already there and current.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
STAMP="$VENV/.installed-from"

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtualenv $VENV" >&2
  python3 -m venv "$VENV"
fi
want="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pulumi-pixverse and its dev tools into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$REPO_ROOT" \
    --group "$REPO_ROOT/pyproject.toml:dev"
  echo "$want" > "$STAMP"
fi

if [ "$(cat "$VENV/.sdk-installed-from" 2>/dev/null)" != "$(sha256sum "$REPO_ROOT/sdk/python/pyproject.toml")" ]; then
  echo "setup: installing the generated Python SDK (sdk/python) into $VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$REPO_ROOT/sdk/python"
  sha256sum "$REPO_ROOT/sdk/python/pyproject.toml" > "$VENV/.sdk-installed-from"
fi

PULUMI_BIN="$("$REPO_ROOT/tools/ensure-pulumi.sh")"
export PATH="$VENV/bin:$PULUMI_BIN:$PATH"
export VIRTUAL_ENV="$VENV"
