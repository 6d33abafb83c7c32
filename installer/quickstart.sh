#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start: install dependencies, build, create a demo portfolio, and open CS Desk on it.
#   bash installer/quickstart.sh [customers]      (default 2,000 customers)
set -euo pipefail
cd "$(dirname "$0")/.."

bash installer/install-deps.sh
cmake --preset release
cmake --build --preset release --target csdesk

demo_db="${CSDESK_DEMO_DB:-$PWD/build/demo-portfolio.db}"
if [ ! -f "$demo_db" ]; then
    ./build/release/app/csdesk --generate-demo "${1:-2000}" --db "sqlite:$demo_db"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "quickstart: no display found; the demo database is ready at $demo_db"
    echo "quickstart: run ./build/release/app/csdesk --db sqlite:$demo_db from a desktop session"
    exit 0
fi
exec ./build/release/app/csdesk --db "sqlite:$demo_db"
