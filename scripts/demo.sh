#!/usr/bin/env bash
# `npm run demo`: a private POP3S server (Dovecot on loopback) with ~40
# generated messages, and a real VS Code (code-server) in the browser with
# this extension installed and an account pointing at that server.
# Everything stops on Ctrl-C. Extra arguments go to scripts/demo.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run package
# exec: Ctrl-C and SIGTERM reach demo.ts directly, which stops both servers.
exec node --import tsx scripts/demo.ts "$@"
