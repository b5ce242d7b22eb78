import { rm } from 'node:fs/promises';
import type { AedesPublishPacket } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPtyPair, Rf433BridgeSim } from '../device-sims/pty/index.ts';
import { ZigbeeBridgeSim } from '../device-sims/zigbee/bridge.ts';
import type { Alert } from '../protocol/index.ts';
import { ensureDebianPackages } from './support/debian.ts';
import { type AgentProcess, spawnAgent, stopAgent, waitForLog, writeEdgeConfig } from './support/edge.ts';
import { eventually, TestSystem, tempDir } from './support/system.ts';

const GW = 'gw-zb-0001';
const GREEN_KEY = 'C0FFEE';

interface HouseholdView {
  gateways: { id: string; devices: { id: string; online: boolean | null; battery?: number }[] }[];
}

/**
 * A home with a simulated zigbee2mqtt bridge (smoke, gas, leak, door, motion, button) and a 433 MHz
 * receiver on a pty, read by a real edge agent process that reports to the real system.
 */
describe('a home with Zigbee sensors behind a zigbee2mqtt bridge, through a real edge agent', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  let sys: TestSystem;
  let bridge: ZigbeeBridgeSim;
  let rf: Rf433BridgeSim;
  let agent: AgentProcess;
  let admin: string;
  const events: { deviceId: string; type: string; data?: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    await ensureDebianPackages('socat');
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    sys = await TestSystem.start();
    cleanup.push(() => sys.stop());
    // What reaches the cloud's broker from this gateway, as the cloud would receive it.
    const aedes = sys.system.broker?.aedes;
    if (!aedes) throw new Error('the test system has no in-process broker');
    const onEvent = (packet: AedesPublishPacket, done: () => void): void => {
      const deviceId = packet.topic.split('/')[4] ?? '';
      const body = JSON.parse(packet.payload.toString()) as { type: string; data?: Record<string, unknown> };
      events.push({ deviceId, type: body.type, ...(body.data ? { data: body.data } : {}) });
      done();
    };
    aedes.subscribe(`eldercare/v1/${GW}/devices/+/event`, onEvent, () => {});
    cleanup.push(async () => aedes.unsubscribe(`eldercare/v1/${GW}/devices/+/event`, onEvent, () => {}));

    admin = await sys.login('admin');
    const zigbeeDevice = (id: string, friendlyName: string, room: string) => ({
      id,
      kind: 'zigbee',
      elderId: 'el-0001',
      room,
      bridgeGraceS: 2,
      transport: { type: 'zigbee2mqtt', url: '', friendlyName },
    });
    const zigbeeDevices = [
      zigbeeDevice(`${GW}-smoke`, 'kitchen_smoke', 'kitchen'),
      zigbeeDevice(`${GW}-door`, 'front_door', 'hall'),
      zigbeeDevice(`${GW}-motion`, 'hall_motion', 'hall'),
      zigbeeDevice(`${GW}-button`, 'bedside_button', 'bedroom'),
    ];
    const provisioned = await sys.api<{ secret: string }>(admin, 'POST', '/api/gateways', {
      id: GW,
      householdId: 'hh-0001',
      devices: [
        ...zigbeeDevices.map(({ id, kind, elderId, room }) => ({ id, kind, elderId, location: room })),
        { id: `${GW}-rf`, kind: 'rf433-bridge', elderId: 'el-0001' },
      ],
    });
    expect(provisioned.status).toBe(201);

    bridge = await ZigbeeBridgeSim.start();
    cleanup.push(() => bridge.stop());
    const pair = await openPtyPair({ dir: `${dir}/pty-433` });
    cleanup.push(() => pair.close());
    rf = new Rf433BridgeSim({ path: pair.devicePath });
    await rf.open();
    cleanup.push(() => rf.close());

    const devices = [
      ...zigbeeDevices.map((d) => ({ ...d, transport: { ...d.transport, url: bridge.url } })),
      {
        id: `${GW}-rf`,
        kind: 'rf433-bridge',
        elderId: 'el-0001',
        transport: { type: 'serial', path: pair.agentPath, baudRate: 19200 },
        codes: { '77535C': 'sos', [GREEN_KEY]: 'service_request:meal' },
      },
    ];
    const config = await writeEdgeConfig(dir, 'gw-0001', sys.system.mqttUrl, devices, {
      gatewayId: GW,
      secret: provisioned.body.secret,
    });
    agent = spawnAgent(config);
    cleanup.push(() => stopAgent(agent, 'SIGKILL'));
    await waitForLog(agent, 'uplink connected');
    await waitForLog(agent, 'bridge broker connected');
  }, 60_000);

  afterAll(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
  });

  async function device(id: string) {
    const { body } = await sys.api<HouseholdView>(admin, 'GET', '/api/households/hh-0001');
    return body.gateways.find((g) => g.id === GW)?.devices.find((d) => d.id === id);
  }

  it('every device the bridge says is available is online in the dispatch centre', async () => {
    for (const id of ['smoke', 'door', 'motion', 'button'])
      await eventually(async () => (await device(`${GW}-${id}`))?.online === true, 5000, `${id} online`);
  });

  it('smoke in the kitchen becomes one critical smoke alert that names the room', async () => {
    const token = await sys.login('op-shizishan');
    await bridge.set('kitchen_smoke', { smoke: true });
    await bridge.set('kitchen_smoke', { battery: 99 });
    const alert = await eventually(
      async () =>
        (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.find(
          (a) => a.gatewayId === GW && a.type === 'smoke',
        ),
      5000,
      'the smoke alert',
    );
    expect(alert).toMatchObject({ severity: 'critical', deviceId: `${GW}-smoke`, elderId: 'el-0001' });
    expect((alert as Alert & { details?: { room?: string } }).details?.room).toBe('kitchen');
    await new Promise((r) => setTimeout(r, 500));
    expect(events.filter((e) => e.type === 'smoke')).toEqual([
      { deviceId: `${GW}-smoke`, type: 'smoke', data: { room: 'kitchen' } },
    ]);
  });

  it('a door magnet repeating contact:false in every state message makes one door_open, not many', async () => {
    await bridge.report('front_door');
    await bridge.set('front_door', { contact: false });
    for (const battery of [90, 90, 89]) await bridge.set('front_door', { battery });
    await bridge.report('front_door');
    await eventually(() => events.some((e) => e.type === 'door_open'), 5000, 'the door_open event');
    await bridge.set('front_door', { contact: true });
    await eventually(() => events.some((e) => e.type === 'door_closed'), 5000, 'the door_closed event');
    expect(events.filter((e) => e.deviceId === `${GW}-door`).map((e) => e.type)).toEqual([
      'door_open',
      'door_closed',
    ]);
  });

  it('a green key (a 433 MHz code mapped to service_request:meal) publishes a service_request with its service, and the cloud makes a meal ticket, not an alert', async () => {
    await rf.press(GREEN_KEY);
    const request = await eventually(
      () => events.find((e) => e.type === 'service_request'),
      5000,
      'the service_request at the broker',
    );
    expect(request).toEqual({ deviceId: `${GW}-rf`, type: 'service_request', data: { service: 'meal' } });
    // The cloud makes it a meal ticket in the helpers' queue, and no alert.
    const ticket = await eventually(
      async () =>
        (
          await sys.api<{ service: string; deviceId: string; state: string }[]>(
            admin,
            'GET',
            '/api/service-requests',
          )
        ).body.find((t) => t.deviceId === `${GW}-rf`),
      5000,
      'the meal ticket',
    );
    expect(ticket).toMatchObject({ service: 'meal', state: 'requested' });
    const alerts = (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body;
    expect(alerts.filter((a) => a.deviceId === `${GW}-rf`)).toEqual([]);
  });

  it('availability offline from the bridge makes the device offline, and online again', async () => {
    await bridge.availability('hall_motion', 'offline');
    await eventually(async () => (await device(`${GW}-motion`))?.online === false, 5000, 'motion offline');
    await bridge.availability('hall_motion', 'online', true);
    await eventually(async () => (await device(`${GW}-motion`))?.online === true, 5000, 'motion online');
  });

  it('a killed bridge makes its devices offline after the grace, and they are online again when it returns', async () => {
    await bridge.kill();
    await eventually(
      async () =>
        (await device(`${GW}-door`))?.online === false && (await device(`${GW}-smoke`))?.online === false,
      10_000,
      'the devices offline',
    );
    await bridge.restart();
    await eventually(
      async () => (await device(`${GW}-door`))?.online === true,
      10_000,
      'the door online again',
    );
  }, 30_000);
});
