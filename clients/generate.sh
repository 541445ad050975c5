#!/usr/bin/env bash
# Regenerates both clients from Roster's description, byte for byte reproducibly:
#   clients/openapi.json            the description, as served (pretty-printed)
#   clients/python/roster_api/      openapi-python-client (pinned in python/requirements-dev.txt)
#   clients/typescript/src/schema.ts  openapi-typescript (pinned in typescript/package-lock.json)
# Fails when a generator says anything but that it generated: any warning is a failure.
#
# Usage: clients/generate.sh [BASE_URL]   e.g. http://127.0.0.1:8080
#        (without BASE_URL: from the committed clients/openapi.json)
set -euo pipefail
CLIENTS=$(cd "$(dirname "$0")" && pwd)
. "$CLIENTS/tools.sh"
cd "$CLIENTS"

if [ $# -gt 0 ]; then
  echo "clients: fetching $1/openapi.json"
  python3 - "$1" <<'PY' || tools_fail "cannot fetch $1/openapi.json"
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1].rstrip("/") + "/openapi.json", timeout=10) as r:
    doc = json.load(r)
with open("openapi.json", "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
fi
[ -f openapi.json ] || tools_fail "no clients/openapi.json: give the server's base URL"

# Prints the generator's output and fails on any line the generator does not print
# when all went well.
only_expected() {
  local what=$1 expected=$2 out=$3 unexpected
  cat "$out"
  unexpected=$(grep -Ev "$expected" "$out" | grep -Ev '^\s*$' || true)
  [ -z "$unexpected" ] || tools_fail "$what printed warnings (above)"
}

ensure_python
echo "clients: openapi-python-client"
out=$(mktemp)
(cd python && PATH="$CLIENTS/python/.venv/bin:$PATH" openapi-python-client generate \
  --path ../openapi.json --config generator.yml --meta none --output-path roster_api \
  --overwrite) >"$out" 2>&1 || { cat "$out"; tools_fail "openapi-python-client failed"; }
only_expected openapi-python-client '^Generating roster_api$' "$out"

ensure_node typescript
echo "clients: openapi-typescript"
(cd typescript && node_modules/.bin/openapi-typescript ../openapi.json --output src/schema.ts \
  --root-types --root-types-no-schema-prefix) >"$out" 2>&1 ||
  { cat "$out"; tools_fail "openapi-typescript failed"; }
only_expected openapi-typescript '^(✨ openapi-typescript [0-9.]+|🚀 \.\./openapi\.json → src/schema\.ts \[[0-9.]+m?s\])$' "$out"
rm -f "$out"
echo "clients: generated"
