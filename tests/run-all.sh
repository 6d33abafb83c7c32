#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test: installs what the suite needs, builds with warnings as errors, starts a throw-away
# PostgreSQL 15 on 127.0.0.1 (a free port, as the postgres user), and runs ctest inside a private D-Bus
# session with a freshly unlocked gnome-keyring. Stops everything it started.
#   bash tests/run-all.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

bash installer/install-deps.sh --tests

cmake --preset ci
cmake --build --preset ci

work="$(mktemp -d /tmp/csdesk-tests.XXXXXX)"
chmod 755 "$work"
pgbin=/usr/lib/postgresql/15/bin
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres -- "$@"; fi
}
cleanup() {
    if [ -f "$work/pg/postmaster.pid" ]; then
        as_postgres "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ "$(id -u)" -eq 0 ]; then rm -rf "$work"; else sudo rm -rf "$work"; fi
}
trap cleanup EXIT

# A free port: bash connects to candidates; a refused connection means nobody listens there.
port=""
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        port=$candidate
        break
    fi
done
[ -n "$port" ] || { echo "run-all: no free port for PostgreSQL" >&2; exit 1; }

# initdb refuses root, so the cluster belongs to the postgres user.
mkdir -p "$work/pg" "$work/pgsock"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work/pg" "$work/pgsock"; else sudo chown postgres "$work/pg" "$work/pgsock"; fi
as_postgres "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; exit 1; }
as_postgres "$pgbin/pg_ctl" -D "$work/pg" -w -t 60 -l "$work/pgsock/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$work/pgsock/server.log"; exit 1; }
echo "run-all: PostgreSQL 15 on 127.0.0.1:$port"

export CS_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
export CS_REQUIRE_PG=1
export CS_REQUIRE_KEYCHAIN=1
export CS_REQUIRE_SCHEMA_SUITE=1 # ../shared/json-schema-test-suite: tst_jsonschema fails instead of skipping without it
export QT_QPA_PLATFORM=offscreen
export HOME="$work/home" XDG_DATA_HOME="$work/xdg-data" XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"
export XDG_RUNTIME_DIR="$work/xdg-runtime"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY || true

# The keyring unlocks with a throw-away password inside a session bus that ends with the tests.
dbus-run-session -- bash -c '
    echo -n csdesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    ctest --test-dir "$0/build/ci" --output-on-failure -j2 "${@}"
' "$root" "$@"
