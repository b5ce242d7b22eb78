import { readdir, readFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../protocol/index.ts';
import { demoUser, eventually, TestSystem } from './support/system.ts';

/** A local HTTP endpoint that records every JSON body POSTed to it, by path. */
async function recorder(): Promise<{ server: Server; url: string; bodies: Map<string, unknown[]> }> {
  const bodies = new Map<string, unknown[]>();
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      const list = bodies.get(req.url ?? '') ?? [];
      list.push(text ? JSON.parse(text) : null);
      bodies.set(req.url ?? '', list);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** Tries a WebSocket handshake; resolves with the status line's code (101 when it was accepted). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the embedded Node-RED (NODE_RED=1)', () => {
  let sys: TestSystem;
  let hook: Awaited<ReturnType<typeof recorder>>;
  let admin: string;
  let operator: string;

  beforeAll(async () => {
    sys = await TestSystem.start(undefined, {}, { NODE_RED: '1' });
    hook = await recorder();
    admin = await sys.login('admin');
    operator = await sys.login('op-shizishan');
  });

  afterAll(async () => {
    await sys?.stop();
    hook?.server.close();
  });

  it('/flows answers 401 without a session, 403 to an operator and 200 to an admin', async () => {
    expect((await fetch(`${sys.http}/flows/`)).status).toBe(401);
    expect((await fetch(`${sys.http}/flows/flows`)).status).toBe(401);
    const asOperator = await fetch(`${sys.http}/flows/flows`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(asOperator.status).toBe(403);
    expect(((await asOperator.json()) as { code: string }).code).toBe('ERR_FORBIDDEN');
    const asAdmin = await fetch(`${sys.http}/flows/flows`, { headers: { authorization: `Bearer ${admin}` } });
    expect(asAdmin.status).toBe(200);
    expect(Array.isArray(await asAdmin.json())).toBe(true);
    // The editor itself, with the session cookie the dashboard's login sets.
    const editor = await fetch(`${sys.http}/flows/`, { headers: { cookie: `eldercare_session=${admin}` } });
    expect(editor.status).toBe(200);
    expect(editor.headers.get('content-type')).toMatch(/text\/html/);
    expect(await editor.text()).toMatch(/Node-RED/);
  });

  // The access matrix's rows for the flow editor (tests/access-matrix/ has the REST and socket ones): it
  // runs arbitrary code and sees every alert, so only admins pass, whatever their scope; no login is 401.
  it('the flow editor per role: GET and POST /flows/flows and its WebSocket, admins only', async () => {
    const callers = ['op-shizishan', 'sup-yanjiang', 'sup-city', 'admin', 'family-el-0001', '-'] as const;
    const tokens = await Promise.all(callers.map((c) => (c === '-' ? null : sys.login(c))));
    const got: Record<string, number[]> = {};
    for (const [i, caller] of callers.entries()) {
      const token = tokens[i];
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const read = await fetch(`${sys.http}/flows/flows`, { headers: auth });
      // Past the guard, Node-RED itself refuses a deploy that is not a flow (400): nothing is deployed.
      const write = await fetch(`${sys.http}/flows/flows`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ not: 'a flow' }),
      });
      const comms = await upgradeStatus(
        `${sys.http}/flows/comms`,
        token ? { cookie: `eldercare_session=${token}` } : {},
      );
      got[caller] = [read.status, write.status, comms];
    }
    expect(got).toEqual({
      'op-shizishan': [403, 403, 403],
      'sup-yanjiang': [403, 403, 403],
      'sup-city': [403, 403, 403],
      admin: [200, 400, 101],
      'family-el-0001': [403, 403, 403],
      '-': [401, 401, 401],
    });
  });

  it('every spelling of /flows is guarded: the flows’ own HTTP root, other case, percent-encoding', async () => {
    for (const path of [
      '/flows/api/anything',
      '/FLOWS/flows',
      '/%66lows/flows',
      '/flows//flows',
      '/flows/../flows/flows',
    ])
      expect([401, 404], path).toContain((await fetch(`${sys.http}${path}`)).status);
    const editor = await fetch(`${sys.http}/flows/`, { headers: { authorization: `Bearer ${admin}` } });
    expect(editor.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the editor’s WebSocket is refused without an admin session and opens for an admin', async () => {
    const comms = `${sys.http}/flows/comms`;
    expect(await upgradeStatus(comms, {})).toBe(401);
    expect(await upgradeStatus(comms, { cookie: `eldercare_session=${operator}` })).toBe(403);
    expect(await upgradeStatus(comms, { cookie: `eldercare_session=${admin}` })).toBe(101);
    // A page of another site may not ride on the admin's cookie.
    expect(
      await upgradeStatus(comms, { cookie: `eldercare_session=${admin}`, origin: 'http://evil.example' }),
    ).toBe(403);
  });

  it('the node palette offers eldercare alert, eldercare ack and eldercare vitals', async () => {
    const res = await fetch(`${sys.http}/flows/nodes`, {
      headers: { authorization: `Bearer ${admin}`, accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    const types = ((await res.json()) as { types: string[] }[]).flatMap((set) => set.types);
    expect(types).toEqual(
      expect.arrayContaining(['eldercare-server', 'eldercare-alert', 'eldercare-ack', 'eldercare-vitals']),
    );
    // The example flows shipped with the nodes use nothing this runtime lacks.
    const examples = join(import.meta.dirname, '..', 'node-red', 'examples');
    for (const file of await readdir(examples)) {
      const flow = JSON.parse(await readFile(join(examples, file), 'utf8')) as { type: string }[];
      for (const node of flow) if (node.type !== 'comment') expect(types, file).toContain(node.type);
    }
  });

  it('a deployed flow "eldercare alert → http request" forwards a raised SOS to a local endpoint', async () => {
    const flow = [
      { id: 'tab1', type: 'tab', label: 'SOS to the on-call service' },
      {
        id: 'srv',
        type: 'eldercare-server',
        name: 'this cloud',
        url: sys.http,
        credentials: {
          username: 'op-shizishan',
          password: demoUser('op-shizishan').password,
        },
      },
      {
        id: 'alerts',
        type: 'eldercare-alert',
        z: 'tab1',
        server: 'srv',
        events: 'raised',
        minSeverity: 'high',
        types: 'sos',
        wires: [['forward']],
      },
      {
        id: 'forward',
        type: 'http request',
        z: 'tab1',
        method: 'POST',
        ret: 'txt',
        paytoqs: 'ignore',
        url: `${hook.url}/alerts`,
        wires: [[]],
      },
      // The alert node's status goes out too: the test raises the SOS once the node is connected.
      { id: 'watch', type: 'status', z: 'tab1', scope: ['alerts'], wires: [['asPayload']] },
      {
        id: 'asPayload',
        type: 'change',
        z: 'tab1',
        rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'status', tot: 'msg' }],
        wires: [['report']],
      },
      {
        id: 'report',
        type: 'http request',
        z: 'tab1',
        method: 'POST',
        ret: 'txt',
        paytoqs: 'ignore',
        url: `${hook.url}/status`,
        wires: [[]],
      },
    ];
    const deploy = await fetch(`${sys.http}/flows/flows`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'Node-RED-Deployment-Type': 'full',
      },
      body: JSON.stringify(flow),
    });
    expect(deploy.status).toBe(204);

    // The deploy answers before the nodes are live: wait for the alert node to say it is connected.
    await eventually(
      () =>
        (hook.bodies.get('/status') as { text?: string }[] | undefined)?.some((s) => s.text === 'connected'),
      15_000,
      'the alert node to connect',
    );
    const home = await sys.home('gw-0001');
    const eventId = await home.event('sos');
    const forwarded = await eventually(
      () => (hook.bodies.get('/alerts') as Alert[] | undefined)?.find((a) => a.eventId === eventId),
      10_000,
      'the SOS at the endpoint',
    );
    expect(forwarded).toMatchObject({
      type: 'sos',
      severity: 'critical',
      state: 'open',
      gatewayId: 'gw-0001',
    });
  });

  it('the flows and their encrypted credentials are kept in DATA_DIR/node-red', async () => {
    const userDir = join(sys.dataDir, 'node-red');
    const flows = await readFile(join(userDir, 'flows.json'), 'utf8');
    expect(flows).toContain('eldercare-alert');
    const password = demoUser('op-shizishan').password;
    expect(flows).not.toContain(password);
    expect(await readFile(join(userDir, 'flows_cred.json'), 'utf8')).not.toContain(password);
  });

  it('a deploy is recorded in the audit log with the admin who made it', async () => {
    const audit = await sys.api<{ username: string; method: string; route: string }[]>(
      admin,
      'GET',
      '/api/audit',
    );
    expect(audit.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ username: 'admin', method: 'POST', route: '/flows/flows' }),
      ]),
    );
  });
});
