// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The customer-lifecycle end-to-end test the old system promised, through the official SDK client against a fresh
// database: register a customer → onboarding plan → usage recorded → contract with seats → health score → churn risk → retention
// campaign (an outbox message queued) → renewal tracked and forecast → expansion opportunity → feedback. Every step
// asserts what was stored and what the next step sees; the timeline shows all of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { makeDatabase, newToken, removeDir, startHeadless, tempDir } from './csdesk.mjs';

const DAY = 86400000;
const iso = (t) => new Date(t).toISOString().slice(0, 10);
const today = Date.now();

let dir;
let server;
let client;

async function call(name, args) {
  const r = await client.callTool({ name, arguments: args });
  assert.ok(!r.isError, `${name} failed: ${r.content?.[0]?.text}`);
  assert.ok(r.structuredContent, `${name} answers structuredContent`);
  return r.structuredContent;
}

before(async () => {
  dir = tempDir('csdesk-lifecycle-');
  const token = newToken();
  server = await startHeadless({ db: makeDatabase(dir), token });
  client = new Client({ name: 'csdesk-lifecycle-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url),
    { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
});

after(async () => {
  await client?.close();
  await server?.stop();
  removeDir(dir);
});

test('customer lifecycle through the MCP tools', async (t) => {
  const id = 'lifecycle-co';
  await t.test('register a customer', async () => {
    const r = await call('register_client', {
      customer_id: id, name: 'Lifecycle Co', company: 'Lifecycle Co Ltd', domain: 'lifecycle.example',
      industry: 'Software', tier: 'mid_market', arr: 120000, currency: 'USD', contract_type: 'annual',
      contract_start: iso(today - 60 * DAY), contract_end: iso(today + 45 * DAY), renewal_date: iso(today + 45 * DAY),
      owner: 'csm@csdesk.example', primary_contact: { name: 'Pat Buyer', email: 'pat@lifecycle.example' },
    });
    assert.equal(r.customer.customer_id, id);
    assert.equal(r.customer.arr, 120000);
    const listed = await call('list_clients', { limit: 10 });
    assert.equal(listed.total, 1);
    assert.equal(listed.items[0].customer_id, id);
  });

  let planId;
  await t.test('create an onboarding plan', async () => {
    const r = await call('create_onboarding_plan', { customer_id: id, complexity: 'medium' });
    planId = r.plan?.plan_id ?? r.plan_id;
    assert.ok(planId, JSON.stringify(r).slice(0, 500));
    const progress = await call('track_onboarding_progress', { customer_id: id });
    assert.equal(progress.total, 1);
    assert.ok(JSON.stringify(progress).includes(String(planId)));
  });

  await t.test('record usage', async () => {
    const rows = ['customer_id,occurred_at,event_type,feature,user_ref,quantity'];
    for (let d = 1; d <= 28; ++d) {
      for (let u = 1; u <= 3; ++u)
        rows.push(`${id},${new Date(today - d * DAY).toISOString()},feature_used,${u % 2 ? 'reports' : 'dashboards'},user${u},1`);
    }
    const r = await call('import_records', { kind: 'usage_events', csv: rows.join('\n') + '\n' });
    assert.equal(r.inserted, 84, JSON.stringify(r).slice(0, 500));
    const usage = await call('track_usage_engagement', { customer_id: id });
    // What the import stored, as the engagement report reads it: 84 events on 28 days by 3 users, users 1 and 3
    // on reports, user 2 on dashboards.
    assert.equal(usage.events, 84, JSON.stringify(usage).slice(0, 500));
    assert.equal(usage.active_days, 28);
    assert.equal(usage.mau, 3);
    const byFeature = Object.fromEntries(usage.features.map((f) => [f.feature, [f.events, f.users]]));
    assert.deepEqual(byFeature, { reports: [56, 2], dashboards: [28, 1] });
  });

  let contractId;
  await t.test('record the contract: seats bought and in use', async () => {
    const r = await call('record_contract', {
      customer_id: id, contract_number: 'SO-1001', start_date: iso(today - 60 * DAY), end_date: iso(today + 45 * DAY),
      arr: 120000, currency: 'USD', seats_purchased: 50, seats_used: 46, payment_status: 'current',
    });
    contractId = r.contract.contract_id;
    assert.ok(contractId > 0, JSON.stringify(r));
    assert.equal(r.contract.seat_utilisation, 0.92);
    // The registered dates already match the contract: nothing on the customer moves.
    assert.deepEqual(r.customer_fields_updated, []);
    // A licence count two weeks later: two more seats in use.
    const u = await call('update_contract', { contract_id: contractId, version: r.contract.version, seats_used: 48 });
    assert.equal(u.contract.seats_used, 48);
    assert.equal(u.contract.version, r.contract.version + 1);
    const overview = await call('get_client_overview', { customer_id: id });
    assert.equal(overview.contract.current.contract_id, contractId);
    assert.equal(overview.contract.current.seats_used, 48);
  });

  let score;
  await t.test('calculate the health score', async () => {
    const r = await call('calculate_health_score', { customer_id: id });
    score = r.score?.score ?? r.score;
    assert.ok(score >= 0 && score <= 100, JSON.stringify(r).slice(0, 500));
    const overview = await call('get_client_overview', { customer_id: id });
    assert.equal(overview.health.score, score, 'the overview shows the stored score');
  });

  let risk;
  await t.test('identify churn risk', async () => {
    const r = await call('identify_churn_risk', { customer_id: id });
    risk = r.risk;
    assert.ok(risk.probability >= 0 && risk.probability <= 1, JSON.stringify(r).slice(0, 500));
    // Stored: the overview shows the same prediction.
    const overview = await call('get_client_overview', { customer_id: id });
    assert.equal(overview.churn_risk.probability, risk.probability);
    assert.equal(overview.churn_risk.risk_level, risk.risk_level);
  });

  await t.test('run a retention campaign: an outbox message is queued', async () => {
    const template = await call('send_personalized_email', { action: 'create_template', name: 'Check-in',
      subject: 'Checking in', body: 'Hello, shall we talk about how the rollout is going?' });
    const templateId = template.template?.template_id ?? template.template_id;
    assert.ok(templateId, JSON.stringify(template).slice(0, 500));
    const created = await call('automate_retention_campaigns', {
      action: 'create', name: 'Save the account', trigger: 'manual',
      steps: [{ kind: 'email', template_id: templateId }, { kind: 'task', title: 'Call the sponsor' }],
    });
    const playbookId = created.playbook?.playbook_id ?? created.playbook_id;
    assert.ok(playbookId, JSON.stringify(created).slice(0, 500));
    const run = await call('execute_retention_campaign', { customer_id: id, playbook_id: playbookId,
      reason: 'lifecycle test', run_due_steps: true });
    assert.equal(run.steps_run, 2, JSON.stringify(run));
    assert.equal(run.messages_queued, 1, 'the e-mail step queued one outbox message');
    assert.equal(run.tasks_created, 1);
    const sent = await call('send_personalized_email', { action: 'list_sent', customer_id: id });
    assert.ok(sent.total >= 1, JSON.stringify(sent).slice(0, 500));
  });

  await t.test('track and forecast the renewal', async () => {
    const renewals = await call('track_renewals', { customer_id: id });
    assert.ok(renewals.total >= 1, JSON.stringify(renewals).slice(0, 500));
    // The renewal opened from the registered renewal date and ARR, weighed by the churn prediction above.
    const renewal = renewals.items[0];
    assert.equal(renewal.customer_id, id);
    assert.equal(renewal.renewal_date, iso(today + 45 * DAY));
    assert.equal(renewal.arr_current, 120000);
    assert.equal(renewal.p_renew.source, 'churn_prediction');
    assert.equal(renewal.health_score, score, 'the renewal carries the stored health score');
    const forecast = await call('forecast_renewals', { from: iso(today), to: iso(today + 90 * DAY) });
    const f = forecast.forecast;
    assert.equal(f.open_renewals, 1, JSON.stringify(forecast).slice(0, 800));
    assert.equal(f.open_arr, 120000);
    assert.equal(f.from_churn_prediction, 1);
    assert.equal(f.largest_expected_losses[0].customer_id, id);
    // ARR × p(renew); p_renew is shown to 4 decimals, so within 120,000 × 0.00005.
    assert.ok(Math.abs(f.forecast_arr - 120000 * renewal.p_renew.value) <= 6.01, JSON.stringify(f).slice(0, 400));
  });

  await t.test('find an expansion opportunity', async () => {
    const r = await call('identify_expansion_opportunities', { customer_id: id, record: true });
    console.log('expansion:', JSON.stringify(r).slice(0, 600));
    // Every candidate is this customer's and carries its evidence.
    for (const item of r.items) {
      assert.equal(item.customer_id, id);
      assert.ok(item.evidence && Object.keys(item.evidence).length > 0, JSON.stringify(item));
    }
    // 48 of 50 seats in use: an upsell of the seats that bring utilisation back to 80 % (60 seats needed, 10 more),
    // priced at the contract's ARR per seat (120,000 / 50 = 2,400): 24,000.
    const seats = r.items.find((item) => item.kind === 'upsell' && item.product === 'seats');
    assert.ok(seats, JSON.stringify(r).slice(0, 800));
    assert.equal(seats.estimated_arr, 24000);
    assert.ok(seats.opportunity_id > 0, 'record: true stored the opportunity');
  });

  await t.test('collect feedback', async () => {
    const r = await call('collect_feedback', { action: 'record', customer_id: id, kind: 'nps', score: 9,
      comment: 'Great onboarding, the reports save us hours.' });
    assert.equal(r.response.customer_id, id);
    assert.equal(r.response.score, 9);
    assert.equal(r.response.nps_category, 'promoter');
    const listed = await call('collect_feedback', { action: 'list', customer_id: id });
    assert.equal(listed.total, 1);
  });

  await t.test('the timeline shows all of it', async () => {
    const r = await call('get_client_timeline', { customer_id: id, limit: 200 });
    const kinds = new Set(r.items.map((e) => e.kind));
    console.log('timeline kinds:', [...kinds].join(', '), 'counts:', JSON.stringify(r.kind_counts));
    // Onboarding plan, contract, health score, campaign enrolment and steps, the queued e-mail, the renewal opened
    // from the customer record, the expansion opportunity, the NPS answer: every step above left its mark. Usage and
    // a first churn prediction are not timeline events (the timeline records usage milestones and changes of risk
    // level, not every event or a first assessment); their steps above check what the next tools read of them.
    for (const kind of ['onboarding', 'contract', 'score_change', 'campaign', 'email', 'renewal', 'expansion',
      'feedback'])
      assert.ok(kinds.has(kind), `timeline kind ${kind} missing: ${[...kinds].join(', ')}`);
    // The expansion step's opportunity, priced as that step found it.
    assert.ok(r.items.some((e) => e.kind === 'expansion' && e.title.includes('24000.00')),
      JSON.stringify(r.items.filter((e) => e.kind === 'expansion')));
    const times = r.items.map((e) => e.occurred_at);
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
  });
});
