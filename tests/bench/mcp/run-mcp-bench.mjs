// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The MCP benchmark (issue "The embedded MCP server", DESIGN.md §7): tools/call throughput and p50/p99 latency at
// 10 and 64 concurrent sessions against `csdesk --headless` and against a reference server on the official
// TypeScript SDK doing the same work on the same SQLite file, side by side in one run, one load generator (wrk)
// for both. Prints BENCH lines and the ratio.
// Usage: node run-mcp-bench.mjs [--customers N] [--seconds S] [--sessions 10,64] [--rounds R]
// --rounds R (default 1): each measurement R times, csdesk, reference and nginx taking turns, so that a burst of
// noise on a shared machine hits all three alike; the BENCH lines give the medians, and *_range lines the spread.
// Needs CSDESK_BIN and wrk on PATH. CMake copies these scripts next to the pinned node_modules (<build>/node):
// ES modules resolve packages from the importing file's folder upwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDatabase, newToken, removeDir, startHeadless, tempDir } from './csdesk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const customers = Number(opt('customers', 2000));
const seconds = Number(opt('seconds', 10));
const sessionCounts = opt('sessions', '10,64').split(',').map(Number);
const rounds = Math.max(1, Number(opt('rounds', 1)));

if (spawnSync('wrk', ['--version']).error) {
  console.error('wrk is not installed (installer/install-deps.sh --tests installs it)');
  process.exit(1);
}

const PROTOCOL = '2025-11-25';
async function openSessions(url, token, count) {
  const ids = [];
  const auth = token ? { Authorization: `Bearer ${token}` } : {};
  for (let i = 0; i < count; ++i) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...auth };
    const init = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1,
      method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {},
        clientInfo: { name: 'bench', version: '1' } } }) });
    const id = init.headers.get('mcp-session-id');
    await init.text();
    if (!init.ok || !id) throw new Error(`initialize failed at ${url}: ${init.status}`);
    const note = await fetch(url, { method: 'POST', headers: { ...headers, 'Mcp-Session-Id': id,
      'MCP-Protocol-Version': PROTOCOL }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    await note.text();
    ids.push(id);
  }
  return ids;
}

function wrk(url, token, sessions, tool, args) {
  return new Promise((resolve, reject) => {
    const run = spawn('wrk', ['-t', '2', '-c', String(sessions.length), '-d', `${seconds}s`, '--timeout', '5s',
      '-s', join(here, 'mcp-call.lua'), url], {
      env: { ...process.env, WRK_SESSIONS: sessions.join(','), WRK_TOKEN: token ?? '', WRK_TOOL: tool,
        WRK_ARGS: JSON.stringify(args) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    run.stdout.on('data', (c) => { out += c; });
    run.once('exit', () => {
      const m = out.match(/RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/);
      if (!m) return reject(new Error(`no RESULT from wrk:\n${out}`));
      const [requests, errors, p50, p99, max, durationUs] = m.slice(1).map(Number);
      resolve({ rps: requests / (durationUs / 1e6), errors, p50, p99, max });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values, digits) => `${Math.min(...values).toFixed(digits)}..${Math.max(...values).toFixed(digits)}`;
// The medians of a measurement's rounds, and their errors added up.
const summary = (list) => ({ rps: median(list.map((x) => x.rps)), p50: median(list.map((x) => x.p50)),
  p99: median(list.map((x) => x.p99)), errors: list.reduce((sum, x) => sum + x.errors, 0) });

function startReference(file) {
  const child = spawn(process.execPath, [join(here, 'reference-server.mjs'), file, '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      const m = String(c).match(/listening (\d+)/);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}/mcp`, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`reference server exited ${code}`)));
  });
}

// The loopback ceiling (DESIGN.md §7: csdesk ≥ 40 % of it): nginx answering the trivial tool's reply as a static
// body, driven by the same wrk script. Skipped (with a line saying so) when nginx is not installed.
async function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startNginx(folder) {
  const bin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (!bin) return null;
  const port = await freePort();
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text',
    text: 'This is a simple text response for testing.' }] } });
  const conf = join(folder, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(folder, t)};`).join('\n');
  writeFileSync(conf, `worker_processes auto;
pid ${join(folder, 'nginx.pid')};
error_log ${join(folder, 'nginx-error.log')};
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
${temp}
  server {
    listen 127.0.0.1:${port};
    location / { default_type application/json; return 200 '${body}'; }
  }
}
`);
  // Its output goes to its error log: a worker that outlived us must not hold ctest's pipe open.
  const child = spawn(bin, ['-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; i < 100; ++i) {
    try {
      await (await fetch(url, { method: 'POST', body: '{}' })).text();
      // SIGTERM: nginx's fast shutdown (master and workers), awaited.
      return { url, stop: () => { child.kill('SIGTERM'); return exited; } };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  return null;
}

const dir = tempDir('csdesk-mcpbench-');
let ours;
let reference;
let nginx;
let failed = false;
try {
  const db = makeDatabase(dir, customers);
  const token = newToken();
  ours = await startHeadless({ db, token, args: ['--conformance-fixtures'] });
  reference = await startReference(db.replace(/^sqlite:/, ''));
  nginx = await startNginx(dir);
  if (!nginx) console.log('BENCH mcp_loopback_ceiling skipped (nginx not installed: installer/install-deps.sh --tests)');
  const work = [
    { name: 'list_clients', args: { limit: 5, sort: 'id' } },
    { name: 'test_simple_text', args: {} },
  ];
  for (const { name, args } of work) {
    for (const n of sessionCounts) {
      const ourSessions = await openSessions(ours.url, token, n);
      const refSessions = await openSessions(reference.url, null, n);
      const runs = { a: [], b: [], c: [] };
      for (let r = 0; r < rounds; ++r) {
        runs.a.push(await wrk(ours.url, token, ourSessions, name, args));
        runs.b.push(await wrk(reference.url, null, refSessions, name, args));
        if (nginx && name === 'test_simple_text') runs.c.push(await wrk(nginx.url, null, refSessions, name, args));
      }
      const a = summary(runs.a);
      const b = summary(runs.b);
      const label = `${name}_${n}`;
      console.log(`BENCH mcp_${label}_csdesk_calls_per_second ${a.rps.toFixed(0)}`);
      console.log(`BENCH mcp_${label}_csdesk_p50_ms ${a.p50.toFixed(3)}`);
      console.log(`BENCH mcp_${label}_csdesk_p99_ms ${a.p99.toFixed(3)}`);
      console.log(`BENCH mcp_${label}_reference_calls_per_second ${b.rps.toFixed(0)}`);
      console.log(`BENCH mcp_${label}_reference_p50_ms ${b.p50.toFixed(3)}`);
      console.log(`BENCH mcp_${label}_reference_p99_ms ${b.p99.toFixed(3)}`);
      // Ratio and share within each round (one moment), then their median.
      console.log(`BENCH mcp_${label}_ratio ${median(runs.a.map((x, i) => x.rps / runs.b[i].rps)).toFixed(2)}`);
      if (rounds > 1) {
        console.log(`BENCH mcp_${label}_csdesk_calls_per_second_range ${spread(runs.a.map((x) => x.rps), 0)}`);
        console.log(`BENCH mcp_${label}_csdesk_p99_ms_range ${spread(runs.a.map((x) => x.p99), 3)}`);
      }
      if (runs.c.length) {
        const c = summary(runs.c);
        const shares = runs.a.map((x, i) => x.rps / runs.c[i].rps);
        console.log(`BENCH mcp_${label}_nginx_calls_per_second ${c.rps.toFixed(0)}`);
        console.log(`BENCH mcp_${label}_nginx_p99_ms ${c.p99.toFixed(3)}`);
        console.log(`BENCH mcp_${label}_csdesk_share_of_ceiling ${median(shares).toFixed(3)}`);
        if (rounds > 1)
          console.log(`BENCH mcp_${label}_csdesk_share_of_ceiling_range ${spread(shares, 3)}`);
      }
      if (a.errors || b.errors) {
        console.log(`BENCH mcp_${label}_errors csdesk=${a.errors} reference=${b.errors}`);
        failed = true;
      }
    }
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  reference?.stop();
  await nginx?.stop();
  if (ours) await ours.stop();
  removeDir(dir);
}
process.exit(failed ? 1 : 0);
