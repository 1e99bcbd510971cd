#!/usr/bin/env bash
# test/setup.sh — install the Debian packages that building and testing grant need.
#
# Idempotent: when every package is already installed it prints nothing and
# changes nothing.  Otherwise it runs `apt-get update` once and installs the
# missing ones non-interactively.  Needs root (or sudo) only when something is
# missing.
set -euo pipefail

packages=(
    postgresql-15
    postgresql-server-dev-15
    postgresql-contrib
    libpq-dev
    default-libmysqlclient-dev
    mariadb-server
    mariadb-client
    libipc-run-perl
    postgresql-15-mysql-fdw
    pgbouncer
    openssl
    make
    gcc
)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ $status != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

as_root=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup.sh: missing packages (${missing[*]}) and not root; rerun as root" >&2
        exit 1
    fi
    as_root=(sudo)
fi

echo "setup.sh: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

