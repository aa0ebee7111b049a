#!/usr/bin/env bash
# Installs what building and testing customer_analytics needs on Debian 12 (as root, or with sudo).
# Does nothing when everything is already there.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
packages=(build-essential cmake catch2 libboost-dev libnlopt-dev libpq-dev xz-utils gzip ca-certificates
          gnuplot-nox
          "postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" postgresql-common)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
