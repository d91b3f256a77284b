#!/usr/bin/env bash
# Source me: `source tools/setup.sh` prepares the project's virtualenv (.venv, with the package) and the
# Pulumi CLI with its Python language host (tools/ensure-pulumi.sh), then puts both on PATH: all that
# `tools/local up` needs. Each part named in SETUP_PARTS (set it first) adds what another command needs:
#   dev        the dev tools (pyproject's `dev` group: pytest, ruff, mypy, the pipelines' linters)
#   sdk        the generated Python SDK (sdk/python)
#   release    the release tools (pyproject's `release` group: build, twine, PyInstaller)
#   all-hosts  the YAML, Node.js and Go language hosts beside the CLI
#   no-cli     no Pulumi CLI (tools/release builds without one)
#   postgres   PostgreSQL's server programs (the PostgreSQL backend's tests, `tools/local up --backend
#              postgres`): `apt-get install postgresql` when missing, with no cluster of its own
#   s3         an S3 server (the S3 backend's tests): versitygw, built from the Go module proxy into the
#              cache when missing (tools/s3_server.py; about two minutes), with no store of its own
# Safe to run again: each step is skipped when its result is already there and current. What pip prints
# goes to a log in .venv, shown only when an install fails.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"

setup_install() {  # setup_install WHAT STAMP_NAME KEY PIP_ARGS...: pip install PIP_ARGS once per KEY
  local what="$1" stamp="$VENV/.installed-$2" key="$3" log="$VENV/.pip.log"
  shift 3
  [ "$(cat "$stamp" 2>/dev/null)" != "$key" ] || return 0
  echo "setup: installing $what into $VENV" >&2
  if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "$@" >"$log" 2>&1; then
    echo "setup: pip failed; the end of its output ($log):" >&2
    tail -n 30 "$log" | sed 's/^/    /' >&2
    return 1
  fi
  echo "$key" >"$stamp"
}

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtualenv $VENV" >&2
  python3 -m venv "$VENV"
fi
pyproject_key="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
setup_install "pulumi-pixverse" package "$pyproject_key" --upgrade pip -e "$REPO_ROOT"
hosts="" cli=true
for part in ${SETUP_PARTS:-}; do
  case "$part" in
    dev) setup_install "the dev tools" dev "$pyproject_key" --group "$REPO_ROOT/pyproject.toml:dev" ;;
    release) setup_install "the release tools" release "$pyproject_key" --group "$REPO_ROOT/pyproject.toml:release" ;;
    sdk)
      setup_install "the generated Python SDK (sdk/python)" sdk \
        "$(cat "$REPO_ROOT/sdk/python/pyproject.toml" "$REPO_ROOT/sdk/schema.json" | sha256sum | cut -d' ' -f1)" \
        -e "$REPO_ROOT/sdk/python"
      ;;
    all-hosts) hosts="--all-hosts" ;;
    no-cli) cli=false ;;
    postgres)  # found where tools/postgres_cluster.py looks: on PATH or in Debian's /usr/lib/postgresql/
      if ! command -v initdb >/dev/null && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        echo "setup: installing PostgreSQL (apt-get install postgresql)" >&2
        as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
        as_root mkdir -p /etc/postgresql-common/createcluster.d  # no default cluster on port 5432
        echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/no-main.conf >/dev/null
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      fi
      ;;
    s3) python3 "$REPO_ROOT/tools/s3_server.py" build >/dev/null ;;
    *) echo "setup: unknown part $part in SETUP_PARTS (dev, sdk, release, all-hosts, no-cli, postgres, s3)" >&2; exit 2 ;;
  esac
done

if [ "$cli" = true ]; then
  PULUMI_BIN="$("$REPO_ROOT/tools/ensure-pulumi.sh" ${hosts:+"$hosts"})"
  export PATH="$PULUMI_BIN:$PATH"
fi
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"
