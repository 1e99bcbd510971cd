#!/usr/bin/env bash
# test/scenarios/release.sh — `make dist` produces the release tarball that `make` builds
# from: every tracked file is in it under grant-<version>/, it compiles without a warning,
# and its META.json, LICENSE and CHANGELOG.md describe the version grant.control installs.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/grant-release.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/grant.control")
ok "grant.control names a version ($version)" test -n "$version"
tarball="grant-$version.tar.gz"
ok "make dist writes $tarball" make -s -C "$root" dist
mv "$root/$tarball" "$work/"

tar -tzf "$work/$tarball" | sed "s|^grant-$version/||" | grep -v -e '/$' -e '^$' | sort >"$work/listed"
git -C "$root" ls-files | sort >"$work/tracked"
is "every tracked file is in the tarball, nothing else" \
    "$(comm -3 "$work/tracked" "$work/listed" | head -5)" ""

tar -xzf "$work/$tarball" -C "$work"
src="$work/grant-$version"
ok "the tarball builds" make -s -C "$src" PG_CONFIG="$PG_CONFIG"
like "... without a compiler warning" \
    "$(make -s -B -C "$src" PG_CONFIG="$PG_CONFIG" 2>&1 | grep -c 'warning:' || true)" '^0$'
ok "... and has the shared library" test -f "$src/grant.so"

meta=$(python3 - "$src/META.json" "$src" <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
p = m["provides"]["grant"]
print(m["version"], p["version"], m["license"], os.path.exists(os.path.join(sys.argv[2], p["file"])))
PY
)
like "META.json: the version of grant.control, PostgreSQL license, its file exists" \
    "$meta" "^$version(\.0)? $version(\.0)? postgresql True$"
like "LICENSE is the PostgreSQL License" "$(head -c 2000 "$src/LICENSE")" \
    'Permission to use, copy, modify, and distribute this software'
like "CHANGELOG.md has an entry for $version" "$(cat "$src/CHANGELOG.md")" "## $version"

finish
