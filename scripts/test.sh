#!/usr/bin/env bash
# `npm test`: every test, on a fresh clone of a fresh machine. Installs what it
# needs (Debian packages, npm packages, code-server), builds the .vsix, then
# runs the unit, integration (real Dovecot) and end-to-end (real editor)
# suites. Each suite prints node's test-runner summary.
#
#   POP3_MAIL_SKIP_E2E=1   unit + integration + fuzz only (no code-server, no browser)
#   POP3_MAIL_LONG=1       ten times the fuzz cases and soak cycles (local runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${POP3_MAIL_SKIP_E2E:-}" = 1 ]; then
  SKIP_CODE_SERVER=1 bash scripts/install-deps.sh
else
  bash scripts/install-deps.sh
fi
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npm run --silent typecheck
npm run --silent lint
npm run --silent package >/dev/null

status=0
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT
# Runs one suite with node's test runner: spec output on the terminal, TAP to a
# file so that the totals of all suites can be added up at the end.
suite() {
  local name="$1" concurrency="$2"
  shift 2
  echo "=== $name"
  node --import tsx --test --test-concurrency="$concurrency" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$reports/$name.tap" \
    "$@" || status=1
}
suite unit 2 test/unit/*.test.ts
suite integration 1 test/integration/*.test.ts
suite fuzz 1 test/fuzz/*.test.ts
if [ "${POP3_MAIL_SKIP_E2E:-}" != 1 ]; then
  suite e2e 1 test/e2e/*.test.ts
fi
passed=$(cat "$reports"/*.tap | awk '/^# pass /{s+=$3} END{print s+0}')
failed=$(cat "$reports"/*.tap | awk '/^# fail /{s+=$3} END{print s+0}')
skipped=$(cat "$reports"/*.tap | awk '/^# skipped /{s+=$3} END{print s+0}')
echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
