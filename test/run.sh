#!/usr/bin/env bash
# The whole test suite: unit, integration (real PostgreSQL), contract, corpus
# (../shared/testdata when present) and end-to-end (Chromium). `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
export NODE_ENV=test
# Tests get their own embedded PostgreSQL cluster, started once for the run.
export BACKSCROLL_HOME="${BACKSCROLL_TEST_HOME:-$PWD/.test-home}"
unset DATABASE_URL
node bin/backscroll.mjs db start >/dev/null
cleanup() { node bin/backscroll.mjs db stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
export TEST_DATABASE_URL="$(node bin/backscroll.mjs db url)"

if [ "${SKIP_E2E:-}" != "1" ]; then
  if [ "${SKIP_BUILD:-}" != "1" ] || [ ! -f "${NEXT_DIST_DIR:-.next}/BUILD_ID" ]; then
    echo "Building the web app for the end-to-end tests…"
    node node_modules/next/dist/bin/next build >/tmp/backscroll-next-build.log 2>&1 || { cat /tmp/backscroll-next-build.log; exit 1; }
  fi
  E2E=(test/e2e/*.spec.ts)
else
  E2E=()
fi

shopt -s globstar nullglob
FILES=(lib/**/*.test.ts workers/**/*.test.ts test/integration/**/*.test.ts test/contract/**/*.test.ts test/corpus/**/*.test.ts "${E2E[@]}")
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=600000 "$@" "${FILES[@]}"
