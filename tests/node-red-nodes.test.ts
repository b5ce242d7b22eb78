import type { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../protocol/index.ts';
import { demoUser, eventually, TestSystem, world } from './support/system.ts';

const require = createRequire(import.meta.url);
const PACKAGE = join(import.meta.dirname, '..', 'node-red');

type NodeModule = (red: unknown) => void;
interface FlowJson {
  id: string;
  type: string;
  server?: string;
  wires?: string[][];
}
interface Msg {
  topic?: string;
  payload?: unknown;
  alertId?: string;
  statusCode?: number;
  [key: string]: unknown;
}
/** A node of the running test flow, as node-red-node-test-helper hands it out. */
interface FlowNode extends EventEmitter {
  type: string;
  receive(msg: Msg): void;
  client?: { state: string };
}
interface TestHelper {
  init(runtimePath: string): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: NodeModule[], flow: object[], credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): FlowNode;
}

const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));
const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
  name: string;
  keywords: string[];
  'node-red': { version: string; nodes: Record<string, string> };
};
const nodeModules = Object.values(pkg['node-red'].nodes).map(
  (file) => require(join(PACKAGE, file)) as NodeModule,
);

/** Every message that arrives at the helper node `id`. */
function collect(id: string): Msg[] {
  const received: Msg[] = [];
  helper.getNode(id).on('input', (msg: Msg) => received.push(msg));
  return received;
}

/** Every error the node `id` reports (`done(err)` or `node.error`), with the message it concerned. */
function errors(id: string): { err: unknown; msg?: Msg }[] {
  const seen: { err: unknown; msg?: Msg }[] = [];
  helper
    .getNode(id)
    .on('call:error', (call: { args: [unknown, Msg?] }) =>
      seen.push({ err: call.args[0], msg: call.args[1] }),
    );
  return seen;
}

describe('the node package node-red-contrib-eldercare', () => {
  it('declares itself a Node-RED 5 module and registers the four node types', () => {
    expect(pkg.name).toBe('node-red-contrib-eldercare');
    expect(pkg.keywords).toContain('node-red');
    expect(pkg['node-red'].version).toBe('>=5.0.0');
    const registered: string[] = [];
    const red = {
      nodes: { createNode() {}, getNode: () => null, registerType: (type: string) => registered.push(type) },
    };
    for (const load of nodeModules) load(red);
    expect(registered.sort()).toEqual([
      'eldercare-ack',
      'eldercare-alert',
      'eldercare-server',
      'eldercare-vitals',
    ]);
  });

  it('the example flows are whole: every wire and every server reference points at a node of the same file', () => {
    const dir = join(PACKAGE, 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const flow = JSON.parse(readFileSync(join(dir, file), 'utf8')) as FlowJson[];
      const byId = new Map(flow.map((n) => [n.id, n]));
      expect(byId.size, file).toBe(flow.length);
      for (const node of flow) {
        for (const target of (node.wires ?? []).flat())
          expect(byId.has(target), `${file}: ${target}`).toBe(true);
        if (node.type.startsWith('eldercare-') && node.type !== 'eldercare-server')
          expect(byId.get(String(node.server))?.type, `${file}: ${node.id}`).toBe('eldercare-server');
      }
    }
  });

  it('the palette names the nodes "eldercare alert", "eldercare ack" and "eldercare vitals"', () => {
    for (const name of ['alert', 'ack', 'vitals']) {
      const html = readFileSync(join(PACKAGE, 'nodes', `eldercare-${name}.html`), 'utf8');
      expect(html).toContain(`paletteLabel: 'eldercare ${name}'`);
      expect(html).toContain(`data-template-name="eldercare-${name}"`);
      expect(html).toContain(`data-help-name="eldercare-${name}"`);
    }
  });
});

describe('the eldercare nodes against a running system', () => {
  let sys: TestSystem;
  let operator: string;
  const server = (id = 'srv') => ({ id, type: 'eldercare-server', url: sys.http, name: 'cloud' });
  const credentials = { srv: { username: 'op-shizishan', password: demoUser('op-shizishan').password } };

  /**
   * Raises an SOS at gw-0001 (shizishan) and returns the alert once the REST API has it. An SOS from a
   * home whose SOS is still open only updates that alert, so earlier tests' alerts are resolved first.
   */
  async function raiseSos(): Promise<Alert> {
    for (const state of ['open', 'acknowledged']) {
      const left = await sys.api<Alert[]>(operator, 'GET', `/api/alerts?state=${state}`);
      for (const a of left.body.filter((a) => a.gatewayId === 'gw-0001'))
        await sys.api(operator, 'POST', `/api/alerts/${a.id}/resolve`, { outcome: 'other' });
    }
    const home = await sys.home('gw-0001');
    const eventId = await home.event('sos');
    return eventually(async () => {
      const open = await sys.api<Alert[]>(operator, 'GET', '/api/alerts?state=open');
      return open.body.find((a) => a.eventId === eventId);
    });
  }

  beforeAll(async () => {
    sys = await TestSystem.start();
    operator = await sys.login('op-shizishan');
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
  });

  afterAll(async () => {
    await helper.stopServer();
    await sys?.stop();
  });

  it('each node loads in a flow with its server node', async () => {
    await helper.load(
      nodeModules,
      [
        server(),
        { id: 'alert', type: 'eldercare-alert', server: 'srv', wires: [[]] },
        { id: 'ack', type: 'eldercare-ack', server: 'srv', action: 'acknowledge', wires: [[], []] },
        { id: 'vitals', type: 'eldercare-vitals', server: 'srv', sinceMinutes: 60, wires: [[]] },
      ],
      credentials,
    );
    expect(helper.getNode('srv').type).toBe('eldercare-server');
    expect(helper.getNode('alert').type).toBe('eldercare-alert');
    expect(helper.getNode('ack').type).toBe('eldercare-ack');
    expect(helper.getNode('vitals').type).toBe('eldercare-vitals');
  });

  it('eldercare alert sends a raised SOS with its topic, and a node filtering for falls stays quiet', async () => {
    await helper.load(
      nodeModules,
      [
        server(),
        {
          id: 'alert',
          type: 'eldercare-alert',
          server: 'srv',
          events: 'raised',
          minSeverity: 'high',
          types: '',
          wires: [['out']],
        },
        {
          id: 'falls',
          type: 'eldercare-alert',
          server: 'srv',
          events: 'all',
          minSeverity: 'low',
          types: 'fall',
          wires: [['fallsOut']],
        },
        { id: 'out', type: 'helper' },
        { id: 'fallsOut', type: 'helper' },
      ],
      credentials,
    );
    const received = collect('out');
    const falls = collect('fallsOut');
    const statuses: string[] = [];
    helper
      .getNode('alert')
      .on('call:status', (call: { args: [{ text: string }] }) => statuses.push(call.args[0].text));
    await eventually(
      () => helper.getNode('srv').client?.state === 'connected',
      10_000,
      'the dispatch socket',
    );
    const alert = await raiseSos();
    const msg = await eventually(() => received.find((m) => (m.payload as Alert).id === alert.id));
    expect(msg.topic).toBe('alert:raised');
    expect(msg.alertId).toBe(alert.id);
    expect(msg.payload).toMatchObject({
      type: 'sos',
      severity: 'critical',
      state: 'open',
      gatewayId: 'gw-0001',
    });
    expect(statuses).toContain('connected');
    expect(falls).toEqual([]);
  });

  it('eldercare ack acknowledges an alert with a note, and the REST API shows it acknowledged', async () => {
    await helper.load(
      nodeModules,
      [
        server(),
        {
          id: 'ack',
          type: 'eldercare-ack',
          server: 'srv',
          action: 'acknowledge',
          wires: [['ok'], ['refused']],
        },
        { id: 'ok', type: 'helper' },
        { id: 'refused', type: 'helper' },
      ],
      credentials,
    );
    const ok = collect('ok');
    const alert = await raiseSos();
    // As it would come from an eldercare alert node: the alert in msg.payload.
    helper.getNode('ack').receive({ payload: alert, note: 'calling the elder now' });
    const done = await eventually(() => ok[0]);
    expect(done.statusCode).toBe(200);
    expect(done.payload).toMatchObject({
      id: alert.id,
      state: 'acknowledged',
      acknowledgedBy: 'op-shizishan',
    });
    const stored = await sys.api<Alert>(operator, 'GET', `/api/alerts/${alert.id}`);
    expect(stored.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'op-shizishan' });
  });

  it('eldercare ack resolves with msg.outcome, then reports 409 on its second output for the resolved alert', async () => {
    await helper.load(
      nodeModules,
      [
        server(),
        {
          id: 'resolver',
          type: 'eldercare-ack',
          server: 'srv',
          action: 'resolve',
          outcome: 'other',
          wires: [['resolved'], []],
        },
        {
          id: 'ack',
          type: 'eldercare-ack',
          server: 'srv',
          action: 'acknowledge',
          wires: [['ok'], ['refused']],
        },
        { id: 'resolved', type: 'helper' },
        { id: 'ok', type: 'helper' },
        { id: 'refused', type: 'helper' },
      ],
      credentials,
    );
    const resolved = collect('resolved');
    const ok = collect('ok');
    const refused = collect('refused');
    const alert = await raiseSos();
    helper.getNode('resolver').receive({ alertId: alert.id, outcome: 'false_alarm' });
    expect((await eventually(() => resolved[0])).payload).toMatchObject({
      state: 'resolved',
      outcome: 'false_alarm',
    });

    helper.getNode('ack').receive({ alertId: alert.id });
    const answer = await eventually(() => refused[0]);
    expect(answer.statusCode).toBe(409);
    expect(answer.payload).toMatchObject({ code: 'ERR_ALREADY_RESOLVED' });
    expect(ok).toEqual([]);
  });

  it('eldercare ack reports a message without an alert id as a node error', async () => {
    await helper.load(
      nodeModules,
      [server(), { id: 'ack', type: 'eldercare-ack', server: 'srv', action: 'acknowledge', wires: [[], []] }],
      credentials,
    );
    const seen = errors('ack');
    helper.getNode('ack').receive({ payload: 'no id here' });
    const { err } = await eventually(() => seen[0]);
    expect(String(err)).toMatch(/no alert id/);
  });

  it('when the cloud forgets the session, the ack node logs in again and the acknowledgement goes through', async () => {
    await helper.load(
      nodeModules,
      [
        server(),
        { id: 'ack', type: 'eldercare-ack', server: 'srv', action: 'note', wires: [['ok'], ['refused']] },
        { id: 'ok', type: 'helper' },
        { id: 'refused', type: 'helper' },
      ],
      credentials,
    );
    const ok = collect('ok');
    const first = await raiseSos();
    helper.getNode('ack').receive({ alertId: first.id, note: 'first note' });
    await eventually(() => ok[0]);
    // Every session of the account ends, as after a logout everywhere.
    await sys.system.cloud.store.run('DELETE FROM sessions WHERE username = $1', ['op-shizishan']);
    operator = await sys.login('op-shizishan');
    helper.getNode('ack').receive({ alertId: first.id, note: 'second note' });
    const second = await eventually(() => ok[1]);
    expect(second.statusCode).toBe(201);
  });

  it('a wrong password is tried once: the nodes report it and the account is not locked', async () => {
    await helper.load(
      nodeModules,
      [
        server(),
        { id: 'alert', type: 'eldercare-alert', server: 'srv', wires: [[]] },
        { id: 'ack', type: 'eldercare-ack', server: 'srv', action: 'acknowledge', wires: [[], ['refused']] },
        { id: 'refused', type: 'helper' },
      ],
      { srv: { username: 'op-sanxianci', password: 'not-the-password' } },
    );
    const refused = collect('refused');
    const statuses: string[] = [];
    helper
      .getNode('alert')
      .on('call:status', (call: { args: [{ text: string }] }) => statuses.push(call.args[0].text));
    // More messages than the cloud's lockout allows failed logins (5 in 15 minutes).
    for (let i = 0; i < 6; i++) helper.getNode('ack').receive({ alertId: `al-${i}` });
    await eventually(() => refused.length === 6);
    expect(refused.every((m) => m.statusCode === 401)).toBe(true);
    await eventually(() => statuses.some((t) => t.includes('login refused')));
    // The cloud saw one failed login, not six: the account still logs in.
    expect(await sys.login('op-sanxianci')).toBeTruthy();
  });

  it('eldercare vitals returns the readings a home sent, or only the latest', async () => {
    const elderId = 'el-0001';
    await helper.load(
      nodeModules,
      [
        server(),
        {
          id: 'all',
          type: 'eldercare-vitals',
          server: 'srv',
          sinceMinutes: 60,
          latest: false,
          wires: [['out']],
        },
        {
          id: 'latest',
          type: 'eldercare-vitals',
          server: 'srv',
          elderId,
          sinceMinutes: 60,
          latest: true,
          wires: [['outLatest']],
        },
        { id: 'out', type: 'helper' },
        { id: 'outLatest', type: 'helper' },
      ],
      credentials,
    );
    const out = collect('out');
    const latest = collect('outLatest');
    const home = await sys.home('gw-0001');
    await home.vitals({ hr: 72 });
    // Vitals are QoS 0 and stored asynchronously: wait until the cloud has them, then ask the nodes.
    await eventually(async () => {
      const res = await sys.api<unknown[]>(operator, 'GET', `/api/elders/${elderId}/vitals`);
      return res.body.length > 0;
    });
    helper.getNode('all').receive({ elderId });
    helper.getNode('latest').receive({});
    const readings = await eventually(() => out[0]);
    expect(readings.elderId).toBe(elderId);
    expect(readings.payload).toEqual(expect.arrayContaining([expect.objectContaining({ hr: 72 })]));
    expect((await eventually(() => latest[0])).payload).toMatchObject({ hr: 72 });
  });

  it('eldercare vitals reports an elder outside the account’s region as an error with statusCode 404', async () => {
    const outside = world.elders.find((e) => {
      const household = world.households.find((h) => h.id === e.householdId);
      return household && !household.region.startsWith('ziyang.yanjiang.shizishan');
    });
    if (!outside) throw new Error('the demo world has an elder outside shizishan');
    await helper.load(
      nodeModules,
      [
        server(),
        { id: 'vitals', type: 'eldercare-vitals', server: 'srv', sinceMinutes: 60, wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      credentials,
    );
    const out = collect('out');
    const seen = errors('vitals');
    helper.getNode('vitals').receive({ elderId: outside.id });
    const { msg } = await eventually(() => seen[0]);
    expect(msg?.statusCode).toBe(404);
    expect(out).toEqual([]);
  });

  it('without NODE_RED the cloud serves no /flows', async () => {
    const admin = await sys.login('admin');
    const res = await fetch(`${sys.http}/flows/flows`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(404);
  });
});
