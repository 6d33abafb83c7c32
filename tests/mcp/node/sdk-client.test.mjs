// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The official MCP TypeScript SDK client against csdesk on a demo portfolio, over Streamable HTTP
// (`csdesk --headless`) and stdio (`csdesk --mcp-stdio`): lists every tool, resource and prompt (following
// cursors) and calls real tools, checking the answers against the database's own numbers as other tools state them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, csdeskBinary, makeDatabase, newToken, removeDir, startHeadless, tempDir } from './csdesk.mjs';

// TOOLS.md: the catalogue of the system we replace, and what goes beyond it.
const CATALOGUE = [
  'register_client', 'get_client_overview', 'update_client_info', 'list_clients', 'get_client_timeline',
  'create_onboarding_plan', 'activate_onboarding_automation', 'deliver_training_session',
  'manage_certification_program', 'optimize_onboarding_process', 'map_customer_journey', 'optimize_time_to_value',
  'track_onboarding_progress',
  'track_usage_engagement', 'calculate_health_score', 'segment_customers', 'track_feature_adoption',
  'manage_lifecycle_stages', 'track_adoption_milestones', 'segment_by_value_tier', 'analyze_engagement_patterns',
  'identify_churn_risk', 'execute_retention_campaign', 'monitor_satisfaction', 'manage_escalations',
  'analyze_churn_postmortem', 'score_risk_factors', 'automate_retention_campaigns',
  'send_personalized_email', 'automate_communications', 'manage_community', 'manage_advocacy_program',
  'conduct_executive_review', 'automate_newsletters',
  'handle_support_ticket', 'route_tickets', 'manage_knowledge_base', 'update_knowledge_base',
  'manage_customer_portal', 'analyze_support_performance',
  'identify_upsell_opportunities', 'identify_crosssell_opportunities', 'identify_expansion_opportunities',
  'track_renewals', 'forecast_renewals', 'negotiate_renewals', 'track_revenue_expansion',
  'optimize_customer_lifetime_value',
  'collect_feedback', 'analyze_feedback_sentiment', 'share_product_insights', 'track_cs_metrics',
  'analyze_product_usage', 'manage_voice_of_customer',
  'get_autonomous_status', 'configure_autonomous_worker', 'trigger_worker_now', 'get_worker_config',
  'list_available_workers',
  'resolve_customer', 'search', 'import_records', 'train_churn_model',
  'record_contract', 'update_contract', 'manage_sla',
];
// Not registered yet, each for a stated reason (a tool that cannot do its job is absent, not faked). This list
// only shrinks: a name that appears in tools/list must be removed from here.
const NOT_YET = new Set([]);

// The test's SDK client, and its two ways to a csdesk: a headless one's Streamable HTTP endpoint with its bearer
// token, or a `csdesk --mcp-stdio` child on `db` (more arguments and environment added).
const newClient = () => new Client({ name: 'csdesk-sdk-test', version: '1.0.0' });
const httpTransport = (server, token) => new StreamableHTTPClientTransport(new URL(server.url),
  { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
const stdioTransport = (db, args = [], env = {}) => new StdioClientTransport({ command: csdeskBinary(),
  args: ['--mcp-stdio', '--db', db, ...args], env: childEnv(env), stderr: 'inherit' });

async function listAll(client, method, key) {
  const items = [];
  let cursor;
  do {
    const page = await client[method](cursor ? { cursor } : {});
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function checkPortfolio(client) {
  const tools = await listAll(client, 'listTools', 'tools');
  const names = tools.map((t) => t.name);
  assert.equal(new Set(names).size, names.length, 'tool names are unique');
  for (const name of CATALOGUE) {
    if (NOT_YET.has(name)) assert.ok(!names.includes(name), `${name} is registered: remove it from NOT_YET`);
    else assert.ok(names.includes(name), `tool ${name} is missing`);
  }
  for (const tool of tools) {
    assert.match(tool.name, /^[a-zA-Z0-9_-]{1,64}$/);
    assert.ok(tool.description && tool.title, `${tool.name} has a title and a description`);
    assert.equal(tool.inputSchema.type, 'object');
    assert.equal(tool.inputSchema.additionalProperties, false, `${tool.name} input schema is closed`);
    assert.ok(tool.outputSchema, `${tool.name} has an outputSchema`);
    assert.equal(typeof tool.annotations?.readOnlyHint, 'boolean');
  }

  // A page of customers, then one of them in detail: the overview names the same customer and ARR.
  const page = await client.callTool({ name: 'list_clients', arguments: { limit: 5, sort: 'id' } });
  assert.ok(!page.isError, JSON.stringify(page.content));
  const list = page.structuredContent;
  assert.equal(list.items.length, 5);
  assert.ok(list.total >= 40, `total ${list.total}`);
  assert.ok(list.next_cursor);
  assert.deepEqual(JSON.parse(page.content[0].text), list, 'text block carries the same JSON');
  const first = list.items[0];

  const overview = await client.callTool({ name: 'get_client_overview', arguments: { customer_id: first.customer_id } });
  assert.ok(!overview.isError, JSON.stringify(overview.content));
  assert.equal(overview.structuredContent.customer.customer_id, first.customer_id);
  assert.equal(overview.structuredContent.customer.arr, first.arr);

  // The old server's alias still works.
  const aliased = await client.callTool({ name: 'get_client_overview', arguments: { client_id: first.customer_id } });
  assert.equal(aliased.structuredContent.customer.customer_id, first.customer_id);

  // The next page continues where the first ended.
  const next = await client.callTool({ name: 'list_clients',
    arguments: { limit: 5, sort: 'id', cursor: list.next_cursor } });
  assert.ok(next.structuredContent.items[0].customer_id > list.items[4].customer_id);

  // Health: computed from the stored usage, 0–100, with components.
  const health = await client.callTool({ name: 'calculate_health_score',
    arguments: { customer_id: first.customer_id } });
  assert.ok(!health.isError, JSON.stringify(health.content));
  const hs = health.structuredContent;
  const score = hs.score?.score ?? hs.score;
  assert.ok(typeof score === 'number' && score >= 0 && score <= 100, JSON.stringify(hs).slice(0, 400));

  // Bad arguments: a tool result with isError that names the field.
  const bad = await client.callTool({ name: 'list_clients', arguments: { limit: 500 } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /limit/);
  const unknownCustomer = await client.callTool({ name: 'get_client_overview',
    arguments: { customer_id: 'no-such-customer' } });
  assert.equal(unknownCustomer.isError, true);
  assert.match(unknownCustomer.content[0].text, /customer_id/);

  // Resources and prompts with real data.
  const resources = await listAll(client, 'listResources', 'resources');
  assert.ok(resources.some((r) => r.uri === 'portfolio://summary'));
  const templates = await client.listResourceTemplates();
  assert.ok(templates.resourceTemplates.some((t) => t.uriTemplate === 'customer://{id}'));
  const customer = await client.readResource({ uri: `customer://${first.customer_id}` });
  assert.equal(JSON.parse(customer.contents[0].text).customer.customer_id, first.customer_id);
  const prompts = await listAll(client, 'listPrompts', 'prompts');
  for (const name of ['qbr_preparation', 'churn_review', 'renewal_brief'])
    assert.ok(prompts.some((p) => p.name === name), `prompt ${name}`);
  const brief = await client.getPrompt({ name: 'renewal_brief', arguments: { customer_id: first.customer_id } });
  assert.ok(brief.messages.length >= 1);
  const completion = await client.complete({ ref: { type: 'ref/resource', uri: 'customer://{id}' },
    argument: { name: 'id', value: first.customer_id.slice(0, 3) } });
  assert.ok(completion.completion.values.includes(first.customer_id));
  return { tools: names.length };
}

// Arguments a tool's inputSchema accepts, made from the schema alone: every required property (and customer_id
// where the tool takes one) with its default, first enum value, or a plain value of its type and format. Enough to
// reach every handler; conditional requirements ("required when action is …") may still refuse, naming the field.
function exampleArguments(schema, customerId, today) {
  const value = (s, name) => {
    if (s.const !== undefined) return s.const;
    if (s.default !== undefined) return s.default;
    if (s.enum) return s.enum[0];
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    switch (type) {
      case 'string':
        if (name === 'customer_id' || name === 'client_id') return customerId;
        if (s.format === 'date') return today;
        if (s.format === 'date-time') return `${today}T12:00:00Z`;
        if (s.format === 'email') return 'someone@example.com';
        return 'example';
      case 'integer':
      case 'number':
        return s.minimum ?? 1;
      case 'boolean':
        return false;
      case 'array':
        return Array.from({ length: s.minItems ?? 0 }, () => value(s.items ?? {}, name));
      case 'object':
        return Object.fromEntries((s.required ?? []).map((k) => [k, value(s.properties?.[k] ?? {}, k)]));
      default:
        return null;
    }
  };
  const args = value(schema, '');
  if (schema.properties?.customer_id && !('customer_id' in args)) args.customer_id = customerId;
  return args;
}

// Calls every tool the server lists once, in list order, with exampleArguments(). Resolves to name → 'ok' or the
// text of the isError result. The SDK client checks every successful structuredContent against the tool's
// outputSchema (it throws otherwise), so an 'ok' is an answer of the promised shape.
async function callEveryTool(client, today) {
  const tools = await listAll(client, 'listTools', 'tools');
  const active = await client.callTool({ name: 'list_clients', arguments: { limit: 1, sort: 'id', status: 'active' } });
  const customerId = active.structuredContent.items[0].customer_id;
  const outcome = {};
  for (const tool of tools) {
    const r = await client.callTool({ name: tool.name, arguments: exampleArguments(tool.inputSchema, customerId, today) });
    outcome[tool.name] = r.isError ? r.content[0].text : 'ok';
    if (!r.isError) continue;
    // A refusal names the field it is about (DESIGN.md: bad input gets a clear error), never a storage failure.
    const field = r.content[0].text.match(/^([a-z_]+)[.:\[]/)?.[1];
    const refusesData = tool.name === 'train_churn_model' && /^not enough history/.test(r.content[0].text);
    assert.ok(refusesData || (field && field in (tool.inputSchema.properties ?? {})),
      `${tool.name}: the refusal does not name a field of its input: ${r.content[0].text}`);
  }
  return outcome;
}

describe('MCP TypeScript SDK client', () => {
  let dir;
  let db;
  before(() => {
    dir = tempDir('csdesk-sdk-');
    db = makeDatabase(dir, 60);
  });
  after(() => removeDir(dir));

  test('Streamable HTTP: tools, resources, prompts on a demo portfolio', async () => {
    const token = newToken();
    const server = await startHeadless({ db, token });
    const client = newClient();
    try {
      await client.connect(httpTransport(server, token));
      assert.equal(client.getServerVersion().name, 'csdesk');
      await checkPortfolio(client);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  test('Streamable HTTP refuses a missing token and a foreign Origin', async () => {
    const token = newToken();
    const server = await startHeadless({ db, token });
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
        protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
      const noToken = await fetch(server.url, { method: 'POST', headers, body });
      assert.equal(noToken.status, 401);
      const wrongToken = await fetch(server.url, { method: 'POST', body,
        headers: { ...headers, Authorization: `Bearer ${newToken()}` } });
      assert.equal(wrongToken.status, 401);
      const evil = await fetch(server.url, { method: 'POST', body,
        headers: { ...headers, Authorization: `Bearer ${token}`, Origin: 'http://evil.example' } });
      assert.equal(evil.status, 403);
      const ok = await fetch(server.url, { method: 'POST', body,
        headers: { ...headers, Authorization: `Bearer ${token}`, Origin: 'http://localhost:3000' } });
      assert.equal(ok.status, 200);
      assert.ok(ok.headers.get('mcp-session-id'));
    } finally {
      await server.stop();
    }
  });

  test('"ask me first" holds without a window: the saved choice and --mcp-ask-first', async () => {
    // The CSM marked the core toolset "ask me first" in the desktop's settings (QSettings' file for organisation
    // and application "csdesk"). Nobody can approve headless or over stdio, so its write tools are refused there,
    // with the reason, and write nothing; its read tools stay open.
    const own = tempDir('csdesk-askfirst-');
    try {
      const config = join(own, 'config');
      mkdirSync(join(config, 'csdesk'), { recursive: true });
      writeFileSync(join(config, 'csdesk', 'csdesk.conf'), '[mcp]\naskFirst=core\n');
      const fresh = makeDatabase(own, 5);
      const env = { XDG_CONFIG_HOME: config };
      const names = async (client) => (await client.callTool({ name: 'list_clients', arguments: { limit: 50 } }))
        .structuredContent.items.map((c) => c.name);
      const token = newToken();
      const server = await startHeadless({ db: fresh, token, env });
      const http = newClient();
      try {
        await http.connect(httpTransport(server, token));
        const refused = await http.callTool({ name: 'register_client', arguments: { name: 'Held Back Ltd' } });
        assert.equal(refused.isError, true, JSON.stringify(refused));
        assert.match(refused.content[0].text, /approval/);
        assert.match(refused.content[0].text, /toolset core/);
        assert.ok(!(await names(http)).includes('Held Back Ltd'), 'a refused call writes nothing');
      } finally {
        await http.close();
        await server.stop();
      }
      // --mcp-ask-first wins over the saved choice: with only "communication" held, core's write goes through, and
      // a communication write is refused.
      const stdio = newClient();
      try {
        await stdio.connect(stdioTransport(fresh, ['--mcp-ask-first', 'communication'], env));
        const created = await stdio.callTool({ name: 'register_client', arguments: { name: 'Let Through Ltd' } });
        assert.ok(!created.isError, JSON.stringify(created.content));
        assert.ok((await names(stdio)).includes('Let Through Ltd'));
        const email = await stdio.callTool({ name: 'send_personalized_email', arguments: {
          customer_id: created.structuredContent.customer_id, subject: 'Hello', body: 'Checking in.' } });
        assert.equal(email.isError, true, JSON.stringify(email));
        assert.match(email.content[0].text, /toolset communication/);
      } finally {
        await stdio.close();
      }
    } finally {
      removeDir(own);
    }
  });

  test('every tool answers over both transports, the same way', async () => {
    // Two fresh copies of one demo portfolio (same seed, same day): the calls write, and each transport gets its own.
    // Both made first, and one day for both runs' date arguments: a run across midnight UTC still compares alike.
    const own = tempDir('csdesk-alltools-');
    for (const sub of ['http', 'stdio']) mkdirSync(join(own, sub));
    const today = new Date().toISOString().slice(0, 10);
    const dbs = { http: makeDatabase(join(own, 'http'), 30), stdio: makeDatabase(join(own, 'stdio'), 30) };
    try {
      const token = newToken();
      const server = await startHeadless({ db: dbs.http, token });
      const http = newClient();
      let overHttp;
      try {
        await http.connect(httpTransport(server, token));
        overHttp = await callEveryTool(http, today);
      } finally {
        await http.close();
        await server.stop();
      }
      const stdio = newClient();
      let overStdio;
      try {
        await stdio.connect(stdioTransport(dbs.stdio));
        overStdio = await callEveryTool(stdio, today);
      } finally {
        await stdio.close();
      }
      assert.deepEqual(overStdio, overHttp, 'stdio and HTTP answer every call alike');
      const answered = Object.values(overHttp).filter((o) => o === 'ok').length;
      console.log(`every tool: ${Object.keys(overHttp).length} called, ${answered} answered with data, the rest refused`
        + ' naming a field');
      // Most tools need nothing beyond a customer: at least the 45 that answer today must keep answering.
      assert.ok(answered >= 45, JSON.stringify(overHttp, null, 1));
    } finally {
      removeDir(own);
    }
  });

  test('stdio: the same tools and answers', async () => {
    const client = newClient();
    try {
      await client.connect(stdioTransport(db));
      await checkPortfolio(client);
    } finally {
      await client.close();
    }
  });
});
