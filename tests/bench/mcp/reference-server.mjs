// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The benchmark's reference (DESIGN.md §7): an MCP server on the official TypeScript SDK (stateful Streamable
// HTTP, JSON responses, one McpServer + transport per session as the SDK's examples do) doing the same work as
// csdesk's `list_clients` on the same SQLite file, through Node 22's built-in node:sqlite: a count and one page of
// customers by id. Usage: node reference-server.mjs <sqlite file> <port>; prints "listening <port>".
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const [file, portArg] = process.argv.slice(2);
const db = new DatabaseSync(file, { readOnly: true });
const countStmt = db.prepare('SELECT count(*) AS n FROM customers WHERE deleted_at IS NULL');
const pageStmt = db.prepare(`SELECT id, name, company, tier, status, lifecycle_stage, owner, arr, currency, renewal_date
  FROM customers WHERE deleted_at IS NULL ORDER BY id LIMIT ?`);

function buildServer() {
  const server = new McpServer({ name: 'reference', version: '1.0.0' });
  server.registerTool('list_clients', {
    title: 'List customers',
    description: 'One page of customers by id, with the total.',
    inputSchema: { limit: z.number().int().min(1).max(200).default(25), cursor: z.string().max(512).optional() },
  }, async ({ limit }) => {
    const total = countStmt.get().n;
    const items = pageStmt.all(limit).map((r) => ({
      customer_id: r.id, name: r.name, company: r.company, tier: r.tier, status: r.status,
      lifecycle_stage: r.lifecycle_stage, owner: r.owner, arr: r.arr, currency: r.currency,
      renewal_date: r.renewal_date,
    }));
    const structured = { items, total, next_cursor: items.length < total ? String(items.at(-1)?.customer_id) : null };
    return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
  });
  server.registerTool('test_simple_text', { description: 'Returns one text block.' }, async () => ({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
  }));
  return server;
}

const transports = new Map();

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

const http = createServer(async (req, res) => {
  try {
    const sessionId = req.headers['mcp-session-id'];
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport && req.method === 'POST' && !sessionId && isInitializeRequest(body)) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
      await buildServer().connect(transport);
    }
    if (!transport) {
      res.writeHead(sessionId ? 404 : 400).end();
      return;
    }
    await transport.handleRequest(req, res, body);
  } catch (e) {
    if (!res.headersSent) res.writeHead(500).end(String(e));
  }
});
http.keepAliveTimeout = 60000;
http.listen(Number(portArg || 0), '127.0.0.1', () => console.log(`listening ${http.address().port}`));
