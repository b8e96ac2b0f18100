#!/usr/bin/env bash
# Installs code-server (a real VS Code in the browser) from the npm registry
# into a cache folder, for the e2e tests and the demo. Idempotent.
# code-server 4.100.3 is VS Code 1.100.3, the last line that runs on Node 20.
set -euo pipefail
CS_VERSION=4.100.3
cache="${POP3_MAIL_CACHE:-$HOME/.cache/pop3-mail}"
prefix="$cache/code-server-$CS_VERSION"
bin="$prefix/node_modules/.bin/code-server"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
command -v rg >/dev/null || { echo "ripgrep missing: run scripts/install-deps.sh" >&2; exit 1; }
# @vscode/ripgrep's install step downloads ripgrep from GitHub, which this
# network cannot reach: seed its cache with Debian's rg instead.
rgcache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rgcache"
for tarball in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz; do
  [ -f "$rgcache/$tarball" ] || tar czf "$rgcache/$tarball" -C "$(dirname "$(command -v rg)")" rg
done
mkdir -p "$prefix"
echo "installing code-server $CS_VERSION into $prefix (a few minutes)..." >&2
npm_config_yes=true npm_config_unsafe_perm=true npm_config_dangerously_allow_all_scripts=true npm install --no-audit --no-fund \
  --prefix "$prefix" "code-server@$CS_VERSION" >"$prefix/install.log" 2>&1 || {
  tail -40 "$prefix/install.log" >&2
  exit 1
}
[ -x "$bin" ] || { echo "code-server did not install; see $prefix/install.log" >&2; exit 1; }
echo "$bin"
