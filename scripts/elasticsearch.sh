#!/usr/bin/env bash
# Prepare the real Elasticsearch node the archive tests run against: Java 17 and Maven from
# Debian (installed only when missing), then the pinned integ-test distribution from Maven
# Central (cached in ~/.m2, unpacked once; see tests/es_node.py). Run by `make setup`.
# Under CI=true any failure stops the build with its reason; elsewhere it warns and the
# Elasticsearch tests skip with the same reason.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() {
    echo "elasticsearch: $*" >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
    echo "elasticsearch: WARNING: the Elasticsearch tests will be skipped" >&2
    exit 0
}
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || fail "missing ${need[*]}; install them: apt-get install ${need[*]}"
        SUDO="sudo"
    fi
    echo "installing Debian packages: ${need[*]}"
    $SUDO apt-get update -qq || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
        || fail "apt-get install ${need[*]} failed"
fi
.venv/bin/python -c "from tests.support.es_node import fetch_distribution as f; print('elasticsearch:', f())" \
    || fail "could not fetch the Elasticsearch distribution (see above)"
