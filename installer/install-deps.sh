#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what CS Desk needs on Debian 12, from Debian's archive only.
#   install-deps.sh            build + run the app
#   install-deps.sh --tests    also what the test suite needs (PostgreSQL server, keyring, D-Bus)
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

packages=(
    cmake ninja-build g++ pkg-config
    # Qt 6.4 (DESIGN.md §8). --no-install-recommends would drop libqt6opengl6-dev (Qt Charts needs it) and
    # qt6-websockets-dev (QtHttpServer needs it), so both are named explicitly.
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qt6-httpserver-dev qt6-websockets-dev qtkeychain-qt6-dev libqt6sql6-sqlite libqt6sql6-psql
    qt6-qpa-plugins libgl-dev fonts-dejavu-core
    # Bulk inserts bind through the SQLite handle of Qt's driver (Storage::BulkInserter).
    libsqlite3-dev
    # The MCP server's HTTP request parser (DESIGN.md §5: a well-kept parser, never hand-rolled).
    libhttp-parser-dev
)
if [ "${1:-}" = "--tests" ]; then
    # Never dbus-x11: with it gnome-keyring opens a password dialog and hangs headless runs.
    packages+=(postgresql-15 postgresql-client-15 gnome-keyring dbus libsecret-1-0 procps appstream desktop-file-utils)
    # The MCP tests run the official TypeScript SDK client and conformance suite: npm fetches them (and Node 22,
    # which Debian 12 lacks) from the npm registry. A machine that already has npm (e.g. NodeSource's nodejs,
    # which conflicts with Debian's npm package) keeps it.
    if ! command -v npm >/dev/null 2>&1; then
        packages+=(nodejs npm)
    fi
    # wrk drives the MCP benchmark (tests/bench); nginx-light answers its loopback ceiling (DESIGN.md §7).
    packages+=(wrk nginx-light)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
