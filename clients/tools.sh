# Sourced by clients/generate.sh and .ci/clients.sh: installs the pinned tools where
# they are ignored by git, once per version of their pins.
#   clients/python/.venv          python/requirements-dev.txt (generator, pytest, ...)
#   clients/typescript/node_modules   typescript/package-lock.json
#   clients/lint/node_modules     lint/package-lock.json (Redocly CLI)

CLIENTS=${CLIENTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

tools_fail() {
  echo "clients: FAILED: $*" >&2
  exit 1
}

# The virtual environment of the Python client, made again when the pins change.
ensure_python() {
  local venv=$CLIENTS/python/.venv req=$CLIENTS/python/requirements-dev.txt stamp
  command -v python3 >/dev/null || tools_fail "python3 is missing"
  stamp=$(sha256sum "$req" | cut -c1-64)
  if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$stamp" ]; then
    echo "clients: installing $req in $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || tools_fail "python3 -m venv failed"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" ||
      tools_fail "pip install -r $req failed"
    echo "$stamp" >"$venv/.pins"
  fi
}

# node_modules of a package under clients/, installed from its lock file.
ensure_node() {
  local dir=$CLIENTS/$1 stamp
  command -v npm >/dev/null || tools_fail "npm is missing"
  stamp=$(sha256sum "$dir/package-lock.json" | cut -c1-64)
  if [ "$(cat "$dir/node_modules/.pins" 2>/dev/null)" != "$stamp" ]; then
    echo "clients: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || tools_fail "npm ci in $dir failed"
    echo "$stamp" >"$dir/node_modules/.pins"
  fi
}
