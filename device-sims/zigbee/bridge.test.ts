import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../tests/support/system.ts';
import { ZigbeeBridgeSim } from './bridge.ts';
import { runZigbeeCommand } from './cli.ts';

type Msg = { topic: string; payload: string; retain: boolean };

describe('the simulated zigbee2mqtt bridge', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
  });

  async function listen(url: string): Promise<Msg[]> {
    const seen: Msg[] = [];
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    cleanup.push(() => client.endAsync(true));
    client.on('message', (topic, payload, packet) =>
      seen.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await client.subscribeAsync('zigbee2mqtt/#', { qos: 1 });
    return seen;
  }

  it('a subscriber gets the retained bridge state and availability, then whole states with link quality', async () => {
    const bridge = await ZigbeeBridgeSim.start();
    cleanup.push(() => bridge.stop());
    const seen = await listen(bridge.url);
    await eventually(() => seen.length >= 7, 3000, 'the retained messages');
    expect(seen).toContainEqual({
      topic: 'zigbee2mqtt/bridge/state',
      payload: '{"state":"online"}',
      retain: true,
    });
    expect(seen).toContainEqual({
      topic: 'zigbee2mqtt/front_door/availability',
      payload: '{"state":"online"}',
      retain: true,
    });
    seen.length = 0;
    await bridge.set('front_door', { contact: false });
    await bridge.report('front_door');
    await bridge.press('bedside_button');
    await bridge.report('bedside_button');
    await eventually(() => seen.length === 4, 3000, 'four state messages');
    const states = seen.map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(states[0]).toMatchObject({ contact: false, battery: 91, linkquality: expect.any(Number) });
    expect(states[1]).toMatchObject({ contact: false, battery: 91 });
    expect(states[2]).toMatchObject({ action: 'emergency', battery: 100 });
    expect(states[3]).not.toHaveProperty('action');
    expect(seen.every((m) => !m.retain)).toBe(true);
  });

  it('killed, it cuts its clients; restarted, it is back on the same port with its retained state', async () => {
    const bridge = await ZigbeeBridgeSim.start();
    cleanup.push(() => bridge.stop());
    await bridge.availability('front_door', 'offline', true);
    const client = await mqtt.connectAsync(bridge.url, { protocolVersion: 4, reconnectPeriod: 0 });
    cleanup.push(() => client.endAsync(true));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await bridge.kill();
    await closed;
    expect(bridge.running).toBe(false);
    await bridge.restart();
    const seen = await listen(bridge.url);
    await eventually(
      () => seen.find((m) => m.topic === 'zigbee2mqtt/front_door/availability'),
      3000,
      'availability after the restart',
    );
    expect(seen.find((m) => m.topic === 'zigbee2mqtt/front_door/availability')?.payload).toBe(
      '{"state":"offline"}',
    );
  });

  it('the CLI prints the URL first, plays its script and refuses an unknown action or device kind', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runZigbeeCommand(['zigbee', '--script', 'smoke@0.2,open:front_door@0.3'], {
      signal: stop.signal,
      log: (l) => lines.push(l),
    });
    await eventually(() => lines.some((l) => l.startsWith('sent open')), 5000, 'the script');
    expect(lines[0]).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toContain('sent smoke@0.2');
    stop.abort();
    await running;
    await expect(runZigbeeCommand(['--script', 'fire@1'])).rejects.toThrow(/unknown script action "fire"/);
    await expect(runZigbeeCommand(['--device', 'x=toaster'])).rejects.toThrow(/NAME=KIND/);
  });
});
