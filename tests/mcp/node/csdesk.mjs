// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Starting and stopping `csdesk` for the Node-side MCP tests (SDK client, lifecycle, conformance, benchmark).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export function csdeskBinary() {
  const bin = process.env.CSDESK_BIN;
  if (!bin) throw new Error('CSDESK_BIN is not set (ctest sets it to the built csdesk)');
  return bin;
}

export function tempDir(prefix) {
  return mkdtempSync(join(process.env.CS_TMPDIR || tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// A fresh SQLite portfolio; with `customers` > 0 the demo generator fills it.
export function makeDatabase(dir, customers = 0, seed = 7) {
  const url = `sqlite:${join(dir, 'portfolio.db')}`;
  if (customers > 0) {
    const run = spawnSync(csdeskBinary(), ['--db', url, '--generate-demo', String(customers), '--seed', String(seed),
      '--usage-events', String(customers * 60)], { encoding: 'utf8', env: childEnv() });
    if (run.status !== 0) throw new Error(`demo generation failed (${run.status}): ${run.stderr}`);
  }
  return url;
}

export function newToken() {
  return randomBytes(32).toString('base64url');
}

// The settings csdesk reads (QSettings under XDG_CONFIG_HOME) hold for headless and stdio too: a developer's own
// saved toolset choices must not leak into a test, so every child gets an empty config folder of this process's
// unless the test passes its own.
let configHome;
function emptyConfigHome() {
  if (!configHome) {
    configHome = tempDir('csdesk-config-');
    process.once('exit', () => removeDir(configHome));
  }
  return configHome;
}

// The environment for a csdesk child: offscreen, no saved settings; `extra` last (it may set XDG_CONFIG_HOME).
export function childEnv(extra = {}) {
  // No desktop keyring in tests: the token comes from the environment.
  return { ...process.env, QT_QPA_PLATFORM: 'offscreen', XDG_CONFIG_HOME: emptyConfigHome(), ...extra };
}

// Starts `csdesk --headless` on an ephemeral port and resolves once it prints its endpoint.
// `env`: more environment for it (e.g. XDG_CONFIG_HOME for saved settings).
export function startHeadless({ db, token, args = [], env: extraEnv = {} }) {
  const env = childEnv({ ...(token ? { CSDESK_MCP_TOKEN: token } : {}), ...extraEnv });
  const child = spawn(csdeskBinary(), ['--headless', '--db', db, '--mcp-port', '0', ...args], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`csdesk did not start within 30 s:\n${stderr}`)), 30000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      const m = stderr.match(/MCP endpoint (http:\/\/127\.0\.0\.1:(\d+)\/mcp)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          port: Number(m[2]),
          child,
          stderr: () => stderr,
          async stop() {
            if (child.exitCode !== null) return child.exitCode;
            child.kill('SIGTERM');
            return await new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`csdesk exited with ${code} before listening:\n${stderr}`));
    });
  });
}
