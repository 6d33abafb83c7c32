// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Runs the official MCP conformance suite (every server scenario, pending ones included, and the
// dns-rebinding-protection scenario) against `csdesk --headless --conformance-fixtures` on a fresh database, with
// tests/mcp/conformance-baseline.yml as the expected failures. Exit code: the suite's (0 = baseline holds).
// The suite's client cannot send a bearer token, hence --mcp-no-auth (only accepted with --headless).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDatabase, removeDir, startHeadless, tempDir } from './csdesk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const baseline = process.env.CS_CONFORMANCE_BASELINE;
const cli = join(here, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

const dir = tempDir('csdesk-conformance-');
let server;
let code = 1;
try {
  server = await startHeadless({ db: makeDatabase(dir), args: ['--conformance-fixtures', '--mcp-no-auth'] });
  const out = join(dir, 'results');
  code = await new Promise((resolve) => {
    const run = spawn(process.execPath, [cli, 'server', '--url', server.url, '--suite', 'all',
      '--expected-failures', baseline, '-o', out], { stdio: 'inherit' });
    run.once('exit', (c) => resolve(c ?? 1));
  });
  // Print every failed check (not only the totals) so a red run says what broke.
  for (const scenario of readdirSync(out)) {
    const checksFile = join(out, scenario, 'checks.json');
    try { statSync(checksFile); } catch { continue; }
    const checks = JSON.parse(readFileSync(checksFile, 'utf8'));
    for (const check of checks) {
      if (check.status === 'FAILURE' || check.status === 'WARNING')
        console.log(`${check.status} ${scenario} ${check.id}: ${check.errorMessage ?? check.description}`);
    }
  }
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  if (server) {
    await server.stop();
    if (code !== 0) console.error(server.stderr());
  }
  removeDir(dir);
}
process.exit(code);
