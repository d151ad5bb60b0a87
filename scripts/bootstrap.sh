#!/usr/bin/env bash
# Prepares a fresh machine for `npm start` and `npm test`: the Debian packages the end-to-end machinery
# needs (installed only when missing, and only as root or with passwordless sudo), then the npm packages.
#   chromium                     the browser the e2e tests and `npm start`'s checks drive
#   libkrb5-dev build-essential  code-server's native modules (node-gyp)
#   python3                      node-gyp
#   ripgrep                      replaces the rg binary code-server's install would download
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=(chromium libkrb5-dev ripgrep build-essential python3 ca-certificates)
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    sudo=unavailable
  fi
  if [ "$sudo" = unavailable ]; then
    echo "bootstrap: missing Debian packages ${missing[*]} and no root to install them; the e2e tests will be skipped" >&2
  else
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
  fi
fi

npm ci --no-audit --no-fund </dev/null
