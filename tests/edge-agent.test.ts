import { readFile, rm } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startModemOnPty } from '../device-sims/gsm-modem-sim.ts';
import { openPtyPair, type PtyPair, Rf433BridgeSim, SeeedRadarSim } from '../device-sims/pty/index.ts';
import type { Alert } from '../protocol/index.ts';
import { ensureDebianPackages } from './support/debian.ts';
import {
  type AgentProcess,
  rfCode,
  spawnAgent,
  stopAgent,
  waitForLog,
  writeEdgeConfig,
} from './support/edge.ts';
import { freePort } from './support/process.ts';
import { eventually, TestSystem, tempDir, world } from './support/system.ts';

type Closer = () => Promise<unknown>;

describe('the edge agent as a real process, with simulated devices on real ptys', () => {
  const cleanup: Closer[] = [];
  beforeAll(() => ensureDebianPackages('socat'));
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
  });

  async function bridgeOnPty(
    dir: string,
  ): Promise<{ pair: PtyPair; sim: Rf433BridgeSim; device: Record<string, unknown> }> {
    const pair = await openPtyPair({ dir: `${dir}/pty-433` });
    cleanup.push(() => pair.close());
    const sim = new Rf433BridgeSim({ path: pair.devicePath });
    await sim.open();
    cleanup.push(() => sim.close());
    const codes = { [rfCode('gw-0001', 'sos')]: 'sos', [rfCode('gw-0001', 'sos_cancel')]: 'sos_cancel' };
    const device = {
      id: 'gw-0001-sos',
      kind: 'rf433-bridge',
      elderId: 'el-0001',
      transport: { type: 'serial', path: pair.agentPath, baudRate: 19200 },
      codes,
    };
    return { pair, sim, device };
  }

  async function system(ports?: { http: number; mqtt: number }): Promise<TestSystem> {
    const sys = await TestSystem.start(undefined, ports);
    cleanup.push(() => sys.stop());
    return sys;
  }

  function agent(configPath: string): AgentProcess {
    const a = spawnAgent(configPath);
    cleanup.push(() => stopAgent(a, 'SIGKILL'));
    return a;
  }

  async function alertsFor(sys: TestSystem, eventPrefix = ''): Promise<Alert[]> {
    const token = await sys.login('sup-city');
    return (await sys.api<Alert[]>(token, 'GET', '/api/alerts')).body.filter((a) =>
      a.eventId.startsWith(eventPrefix),
    );
  }

  it('a 433 MHz SOS frame with line noise before it, sent twice, becomes one sos alert, and the agent acknowledges every frame', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const sys = await system();
    const { sim, device } = await bridgeOnPty(dir);
    const hookFile = `${dir}/feedback.log`;
    const feedbackCommand = `echo "$ALERT_ID $ALERT_STATE" >> ${hookFile}`;
    const a = agent(await writeEdgeConfig(dir, 'gw-0001', sys.system.mqttUrl, [device], { feedbackCommand }));
    await waitForLog(a, 'uplink connected');
    await sim.noise(16);
    await sim.press(rfCode('gw-0001', 'sos'), { repeats: 2 });
    const [alert] = await eventually(
      async () => {
        const found = await alertsFor(sys);
        return found.length > 0 ? found : undefined;
      },
      5000,
      'the sos alert',
    );
    expect(alert).toMatchObject({
      type: 'sos',
      gatewayId: 'gw-0001',
      deviceId: 'gw-0001-sos',
      elderId: 'el-0001',
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await alertsFor(sys)).toHaveLength(1);
    expect(sim.acks).toBe(2);
    // The operator acknowledges: the gateway hears it and runs its feedback hook (a chime by the bed).
    const token = await sys.login('op-shizishan');
    await sys.api(token, 'POST', `/api/alerts/${alert?.id}/ack`, {});
    await eventually(
      async () => (await readFile(hookFile, 'utf8').catch(() => '')).includes(`${alert?.id} acknowledged`),
      5000,
      'the feedback hook',
    );
  });

  it('a radar fall frame split across two writes becomes a fall event, and heart-rate frames become vitals', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const sys = await system();
    const pair = await openPtyPair({ dir: `${dir}/pty-radar` });
    cleanup.push(() => pair.close());
    const radar = new SeeedRadarSim({ path: pair.devicePath, model: 'mr60bha1' });
    await radar.open();
    cleanup.push(() => radar.close());
    const device = {
      id: 'gw-0001-fall',
      kind: 'mr60fda1',
      elderId: 'el-0001',
      transport: { type: 'serial', path: pair.agentPath, baudRate: 115200 },
    };
    const a = agent(await writeEdgeConfig(dir, 'gw-0001', sys.system.mqttUrl, [device]));
    await waitForLog(a, 'uplink connected');
    await radar.fallSplit();
    await radar.heartRate(72);
    await radar.breathRate(16);
    const token = await sys.login('op-shizishan');
    const events = await eventually(
      async () => {
        const { body } = await sys.api<{ type: string; deviceId: string }[]>(
          token,
          'GET',
          '/api/households/hh-0001/events',
        );
        return body.some((e) => e.type === 'fall') ? body : undefined;
      },
      5000,
      'the fall event',
    );
    expect(events.filter((e) => e.type === 'fall')).toEqual([
      expect.objectContaining({ deviceId: 'gw-0001-fall' }),
    ]);
    const vitals = await eventually(
      async () => {
        const { body } = await sys.api<{ hr?: number; rr?: number }[]>(
          token,
          'GET',
          '/api/elders/el-0001/vitals',
        );
        return body.some((v) => v.hr === 72) ? body : undefined;
      },
      5000,
      'vitals with the heart rate',
    );
    expect(vitals.find((v) => v.hr === 72)).toMatchObject({ hr: 72, rr: 16 });
  });

  it('broker down, SOS pressed, agent killed -9 and restarted, broker up 30 s later: exactly one alert, occurredAt within 1 s of the press', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const ports = { http: await freePort(), mqtt: await freePort() };
    const { sim, device } = await bridgeOnPty(dir);
    const config = await writeEdgeConfig(dir, 'gw-0001', `mqtt://127.0.0.1:${ports.mqtt}`, [device]);
    const first = agent(config);
    await waitForLog(first, 'agent started');
    const pressedAt = Date.now();
    await sim.press(rfCode('gw-0001', 'sos'), { repeats: 1 });
    await waitForLog(first, 'event queued');
    first.child.kill('SIGKILL');
    await first.exited;
    const second = agent(config);
    await waitForLog(second, 'agent started');
    expect(second.output()).toMatch(/"pending":[1-9]/);
    await new Promise((r) => setTimeout(r, Math.max(0, pressedAt + 30_000 - Date.now())));
    const sys = await system(ports);
    const alerts = await eventually(
      async () => {
        const found = await alertsFor(sys);
        return found.length > 0 ? found : undefined;
      },
      10_000,
      `the alert after the broker came back\n${second.output()}`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await alertsFor(sys)).toHaveLength(1);
    expect(Math.abs(Date.parse(alerts[0]?.occurredAt ?? '') - pressedAt)).toBeLessThan(1000);
    expect(Date.parse(alerts[0]?.receivedAt ?? '') - pressedAt).toBeGreaterThanOrEqual(30_000);
  }, 90_000);

  it('broker down past smsFallbackAfterS: the modem sends one SMS naming the elder and the event, and the alert still arrives when the broker returns', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const ports = { http: await freePort(), mqtt: await freePort() };
    const { sim, device } = await bridgeOnPty(dir);
    const modemPair = await openPtyPair({ dir: `${dir}/pty-modem` });
    cleanup.push(() => modemPair.close());
    const modem = await startModemOnPty(modemPair.devicePath);
    cleanup.push(() => modem.close());
    const sms = { port: modemPair.agentPath, numbers: ['+8613800000001'] };
    const config = await writeEdgeConfig(dir, 'gw-0001', `mqtt://127.0.0.1:${ports.mqtt}`, [device], {
      sms,
      smsFallbackAfterS: 5,
    });
    const a = agent(config);
    await waitForLog(a, 'agent started');
    await sim.press(rfCode('gw-0001', 'sos'), { repeats: 1 });
    const [message] = await eventually(
      () => (modem.messages.length > 0 ? modem.messages : undefined),
      15_000,
      'the fallback SMS',
    );
    expect(message?.number).toBe('+8613800000001');
    expect(message?.text).toContain(world.elders.find((e) => e.id === 'el-0001')?.name);
    expect(message?.text).toContain('一键呼叫');
    const sys = await system(ports);
    await eventually(
      async () => ((await alertsFor(sys)).length === 1 ? true : undefined),
      10_000,
      'the alert',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(modem.messages).toHaveLength(1);
    expect(await alertsFor(sys)).toHaveLength(1);
  }, 60_000);

  it('a 433 MHz receiver unplugged and plugged back in is reported offline, then online, and its next SOS still arrives', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const sys = await system();
    const agentLink = `${dir}/ttyRF`;
    let pair = await openPtyPair({ agentLink, deviceLink: `${dir}/dev-a` });
    const device = {
      id: 'gw-0001-sos',
      kind: 'rf433-bridge',
      elderId: 'el-0001',
      transport: { type: 'serial', path: agentLink, baudRate: 19200 },
      codes: { [rfCode('gw-0001', 'sos')]: 'sos' },
    };
    const a = agent(await writeEdgeConfig(dir, 'gw-0001', sys.system.mqttUrl, [device]));
    await waitForLog(a, 'uplink connected');
    await pair.close();
    await waitForLog(a, '"online":false');
    pair = await openPtyPair({ agentLink, deviceLink: `${dir}/dev-b` });
    cleanup.push(() => pair.close());
    await eventually(
      () => (a.output().match(/"online":true/g) ?? []).length >= 2,
      15_000,
      `the port reopened\n${a.output()}`,
    );
    const sim = new Rf433BridgeSim({ path: pair.devicePath });
    await sim.open();
    cleanup.push(() => sim.close());
    await sim.press(rfCode('gw-0001', 'sos'), { repeats: 1 });
    await eventually(
      async () => ((await alertsFor(sys)).length === 1 ? true : undefined),
      5000,
      'the SOS after replugging',
    );
  }, 60_000);
});
