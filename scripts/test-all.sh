#!/usr/bin/env bash
# The one test command (README "Run the tests"): installs what the suite needs on a fresh Debian
# machine (Node from the npm registry, Chromium, Graphite, the OpenSearch launcher from Maven Central),
# then runs every check and ends with one "N passed, N failed" line over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
LOG_DIR="$ROOT/.test-logs"
rm -rf "$LOG_DIR" && mkdir -p "$LOG_DIR"

PASSED=0
FAILED=0
FAILED_STEPS=()

step() { echo; echo "=== $1"; }
die() { echo "test-all: $*" >&2; exit 1; }

# Runs a step; its own "N passed, N failed" line (or Jest's JSON) feeds the total. A step without
# counts counts as one check.
run() {
  local name="$1"; shift
  step "$name"
  local log="$LOG_DIR/$(echo "$name" | tr -c 'a-zA-Z0-9' '_').log"
  local start=$SECONDS
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line p f
  line=$(grep -E '^[[:alnum:]:]*[[:space:]]*[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
  elif [ -f "$LOG_DIR/jest.json" ]; then
    p=$(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests)' "$LOG_DIR/jest.json")
    f=$(node -e 'const r=require(process.argv[1]);console.log(r.numFailedTests+r.numRuntimeErrorTestSuites)' "$LOG_DIR/jest.json")
    rm -f "$LOG_DIR/jest.json"
  elif [ "$rc" -eq 0 ]; then p=1; f=0; else p=0; f=1; fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  [ "$rc" -eq 0 ] || FAILED_STEPS+=("$name")
  echo "--- $name: rc=$rc, $p passed, $f failed, $((SECONDS - start)) s"
}

step "system packages"
NEED=()
[ -x /usr/bin/chromium ] || NEED+=(chromium fonts-dejavu-core)
if [ ${#NEED[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${NEED[@]}" >/dev/null \
    || die "could not install ${NEED[*]} with apt-get"
fi
bash scripts/install-services.sh || die "installing the test services failed (see above)"

step "node"
# shellcheck source=scripts/ensure-node.sh
. scripts/ensure-node.sh || die "could not install Node from the npm registry"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || die "npm ci failed"
fi

run "typecheck" npm run typecheck
run "lint" npm run lint
run "unit tests (jest)" npx jest --ci --maxWorkers 2 --json --outputFile "$LOG_DIR/jest.json"
run "production build" npm run build
run "cli build" npm run cli:build
run "cli smoke" node bin/gridsentinel.js --help
run "dist artifacts" npm run -s test:artifacts
run "browser module loading" npm run -s test:browser
run "browser rendering and README screenshots" npm run -s test:screenshots
run "browser timeline panel (labels, keyboard, undo, retrain)" npm run -s test:panel
run "integration tests (OpenSearch, Graphite)" npx jest -c jest.integration.config.js --ci --json --outputFile "$LOG_DIR/jest.json"

echo
if [ ${#FAILED_STEPS[@]} -gt 0 ]; then
  echo "failed steps: ${FAILED_STEPS[*]}"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ ${#FAILED_STEPS[@]} -eq 0 ]
