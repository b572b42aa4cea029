#!/usr/bin/env bash
# Installs what the test services need (tests/services/*.mjs) on a Debian machine, idempotently:
#   - graphite-web + graphite-carbon (Debian packages; run privately by tests/services/graphite.mjs)
#   - Java >= 17 and Maven, then builds test-support/opensearch (jar + target/lib) if it is stale.
# Fast path: only checks when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAUNCHER="$ROOT/test-support/opensearch"
JAR="$LAUNCHER/target/opensearch-launcher-1.0.0.jar"

log() { echo "install-services: $*" >&2; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  fi
fi

pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found: install these packages by hand: $*"
    exit 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -q >&2
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "$@" >&2
}

# --- Graphite (Debian packages; never started as system services by the tests)
missing=()
for p in graphite-web graphite-carbon; do
  pkg_installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi
for f in /usr/bin/carbon-cache /usr/lib/python3/dist-packages/graphite/settings.py /usr/bin/python3; do
  [ -e "$f" ] || { log "expected $f after installing graphite-web graphite-carbon"; exit 1; }
done

# --- Java >= 17 and Maven for the OpenSearch launcher
java_major() {
  java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}
jm="$(command -v java >/dev/null 2>&1 && java_major || echo 0)"
if [ "${jm:-0}" -lt 17 ]; then
  apt_install openjdk-17-jdk-headless
  jm="$(java_major)"
fi
command -v mvn >/dev/null 2>&1 || apt_install maven

# --- Build the launcher unless target/ is newer than pom.xml and src/
if [ -f "$JAR" ] && [ -d "$LAUNCHER/target/lib" ] &&
  [ -z "$(find "$LAUNCHER/pom.xml" "$LAUNCHER/src" -newer "$JAR" -print -quit)" ]; then
  log "OpenSearch launcher up to date (java $jm)"
else
  log "building OpenSearch launcher (mvn package, java $jm)"
  start=$(date +%s)
  mvn -q -B -Dstyle.color=never -f "$LAUNCHER/pom.xml" package >&2
  log "built in $(($(date +%s) - start)) s"
fi
log "ok"
