#!/usr/bin/env bash
# Installs the Debian packages the integration tests, e2e tests and the demo
# need, then code-server. Idempotent and non-interactive: a CI machine starts
# clean, a developer machine usually has everything already and pays nothing.
#
#   SKIP_CODE_SERVER=1  skip the code-server install (unit/integration only)
set -euo pipefail
exec </dev/null # never wait for a prompt, even if a package asks

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# dovecot-pop3d: the real POP3 server the integration tests talk to
# openssl:       self-signed certificates for it
# mpop, fetchmail: peer clients the benchmarks compare against
# chromium:      the browser Playwright drives for e2e tests and screenshots
# fonts-*:       readable screenshots: Latin (liberation), CJK (wqy-zenhei) and
#                emoji, which the generated mail contains; without them the
#                screenshots show empty boxes that look like a decoding bug
# ripgrep:       seeds @vscode/ripgrep's download cache for code-server
# libkrb5-dev:   code-server's kerberos module builds against it
packages=(dovecot-pop3d openssl mpop fetchmail chromium fonts-liberation fonts-wqy-zenhei
  fonts-noto-color-emoji ripgrep libkrb5-dev)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo -n)
  fi
  echo "installing Debian packages: ${missing[*]}" >&2

  # Installing dovecot would start a system-wide Dovecot on ports 110/995 on a
  # machine without a policy-rc.d; the tests run their own private instance,
  # so forbid service starts for the duration of this install only.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi

  # env, not export: sudo would drop an exported variable
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"

  for p in "${missing[@]}"; do
    is_installed "$p" || { echo "package $p did not install" >&2; exit 1; }
  done
fi

if [ "${SKIP_CODE_SERVER:-0}" != 1 ]; then
  # Idempotent too: a cached install costs nothing.
  echo "code-server: $(bash "$here/ensure-code-server.sh")" >&2
fi
