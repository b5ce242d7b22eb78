import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseZigbeeState } from '../codecs/zigbee2mqtt.ts';
import type { DeviceConfig } from '../config.ts';
import { FakeClock, recordingSink } from '../test-support.ts';
import type { BridgeLink, BridgeMessage } from '../transports/zigbee2mqtt.ts';
import { ZigbeeDriver } from './zigbee.ts';

const logger = pino({ level: 'silent' });

/** A bridge broker connection in memory: the test plays the broker. */
class FakeBridge extends EventEmitter<{ message: [BridgeMessage]; up: []; down: [] }> implements BridgeLink {
  up = false;
  wanted: string[] = [];
  released = 0;
  want(topics: readonly string[]): void {
    this.wanted.push(...topics);
  }
  connect(): void {
    this.up = true;
    this.emit('up');
  }
  drop(): void {
    this.up = false;
    this.emit('down');
  }
  send(topic: string, payload: unknown, retained = false): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    this.emit('message', { topic, payload: Buffer.from(text), retained });
  }
}

function zigbee(extra: Partial<DeviceConfig> = {}, friendlyName = 'front_door') {
  const link = new FakeBridge();
  const sink = recordingSink();
  const clock = new FakeClock();
  const device: DeviceConfig = {
    id: 'zb',
    kind: 'zigbee',
    transport: { type: 'zigbee2mqtt', url: 'mqtt://127.0.0.1:1884', friendlyName },
    ...extra,
  };
  const driver = new ZigbeeDriver(device, {
    link,
    sink,
    logger,
    clock,
    release: async () => void link.released++,
  });
  driver.start();
  const topic = `zigbee2mqtt/${friendlyName}`;
  return {
    link,
    sink,
    clock,
    driver,
    state: (p: unknown, retained = false) => link.send(topic, p, retained),
  };
}

/** Whether a message carries anything the driver reads. */
function readable(text: string): boolean {
  const r = parseZigbeeState(text);
  return (
    r.ok &&
    (Object.keys(r.value.flags).length > 0 || r.value.battery !== undefined || r.value.action !== undefined)
  );
}

const types = (sink: ReturnType<typeof recordingSink>) => sink.events.map((e) => e.type);

describe('a zigbee device behind a zigbee2mqtt bridge', () => {
  it('subscribes to its state, its availability and the bridge state under the base topic', () => {
    const { link } = zigbee({
      transport: { type: 'zigbee2mqtt', url: 'mqtt://h:1', baseTopic: 'z2m', friendlyName: 'x' },
    });
    expect(link.wanted.sort()).toEqual(['z2m/bridge/state', 'z2m/x', 'z2m/x/availability']);
  });

  it('a door magnet repeating contact:false in every message makes one door_open, and closing one door_closed', () => {
    const { link, sink, state } = zigbee({ room: 'hall' });
    link.connect();
    state({ contact: true, battery: 91, linkquality: 120 });
    for (const lq of [110, 99, 130]) state({ contact: false, battery: 91, linkquality: lq });
    state({ contact: true, battery: 91, linkquality: 101 });
    expect(sink.events).toEqual([
      { deviceId: 'zb', type: 'door_open', data: { room: 'hall' } },
      { deviceId: 'zb', type: 'door_closed', data: { room: 'hall' } },
    ]);
  });

  it('the first message is a baseline: an open door or motion at boot makes no event', () => {
    const { link, sink, state } = zigbee();
    link.connect();
    state({ contact: false, occupancy: true });
    state({ contact: false, occupancy: true });
    expect(sink.events).toEqual([]);
  });

  it('smoke already on at first sight raises at once, naming the room, and again only after it cleared', () => {
    const { link, sink, state } = zigbee({ room: 'kitchen' }, 'kitchen_smoke');
    link.connect();
    state({ smoke: true, tamper: false, battery_low: false, linkquality: 87 });
    state({ smoke: true, tamper: false, battery_low: false, linkquality: 90 });
    state({ smoke: false });
    state({ smoke: true });
    expect(sink.events).toEqual([
      { deviceId: 'zb', type: 'smoke', data: { room: 'kitchen' } },
      { deviceId: 'zb', type: 'smoke', data: { room: 'kitchen' } },
    ]);
  });

  it('gas, leak, tamper and sos raise on their true edges; occupancy false → true is motion', () => {
    const { link, sink, state } = zigbee();
    link.connect();
    state({ gas: false, water_leak: false, tamper: false, sos: false, occupancy: false });
    state({ gas: true, water_leak: true, tamper: true, sos: true, occupancy: true });
    state({ gas: true, water_leak: true, tamper: true, sos: true, occupancy: true });
    expect(types(sink)).toEqual(['gas', 'water_leak', 'sos', 'tamper', 'motion']);
  });

  it('battery_low or a battery at 15 % or less makes one low_battery with the level', () => {
    const { link, sink, state } = zigbee();
    link.connect();
    state({ battery: 40, battery_low: false });
    state({ battery: 14, battery_low: false });
    state({ battery: 13, battery_low: true });
    expect(sink.events).toEqual([{ deviceId: 'zb', type: 'low_battery', data: { battery: 14 } }]);
  });

  it('an emergency action is an sos on every press, a configured action a service request, a retained one nothing', () => {
    const { link, sink, state } = zigbee({
      actions: { single: 'service_request:meal', double: { type: 'service_request', service: 'chat' } },
    });
    link.connect();
    state({ action: 'emergency', battery: 100 }, true);
    state({ action: 'emergency', battery: 100 });
    state({ action: 'emergency', battery: 100 });
    state({ action: 'single' });
    state({ action: 'double' });
    state({ action: 'hold' });
    expect(sink.events).toEqual([
      { deviceId: 'zb', type: 'sos' },
      { deviceId: 'zb', type: 'sos' },
      { deviceId: 'zb', type: 'service_request', data: { service: 'meal' } },
      { deviceId: 'zb', type: 'service_request', data: { service: 'chat' } },
    ]);
  });

  it('availability in JSON or as a bare string sets the device state, with its battery', () => {
    const { link, sink, state } = zigbee();
    link.connect();
    link.send('zigbee2mqtt/front_door/availability', { state: 'online' }, true);
    state({ contact: true, battery: 91 });
    link.send('zigbee2mqtt/front_door/availability', 'offline');
    link.send('zigbee2mqtt/front_door/availability', 'online');
    expect(sink.states).toEqual([
      { deviceId: 'zb', online: true, extra: {} },
      { deviceId: 'zb', online: true, extra: { battery: 91 } },
      { deviceId: 'zb', online: false, extra: { battery: 91 } },
      { deviceId: 'zb', online: true, extra: { battery: 91 } },
    ]);
  });

  it('a bad message is logged and dropped, and the good one after it still counts', () => {
    const { link, sink, state } = zigbee();
    link.connect();
    state({ contact: true });
    state('{"contact":');
    state([1, 2]);
    link.send('zigbee2mqtt/front_door/availability', 'perhaps');
    state({ contact: false });
    expect(types(sink)).toEqual(['door_open']);
  });

  it('a bridge broker gone past the grace makes the device offline, not silent, and its return online', () => {
    const { link, sink, clock, state } = zigbee({ bridgeGraceS: 10 });
    link.connect();
    link.send('zigbee2mqtt/front_door/availability', { state: 'online' }, true);
    state({ contact: true });
    link.drop();
    clock.advance(9_000);
    expect(sink.states.map((s) => s.online)).toEqual([true]);
    clock.advance(1_000);
    expect(sink.states.map((s) => s.online)).toEqual([true, false]);
    link.connect();
    expect(sink.states.map((s) => s.online)).toEqual([true, false, true]);
  });

  it('a broker blip shorter than the grace reports nothing', () => {
    const { link, sink, clock, state } = zigbee({ bridgeGraceS: 10 });
    link.connect();
    state({ contact: true });
    link.drop();
    clock.advance(5_000);
    link.connect();
    clock.advance(60_000);
    expect(sink.states.map((s) => s.online)).toEqual([true]);
  });

  it('a bridge that never answers at boot is reported offline after the grace', () => {
    const { sink, clock } = zigbee({ bridgeGraceS: 10 });
    clock.advance(10_000);
    expect(sink.states.map((s) => s.online)).toEqual([false]);
  });

  it('the bridge itself going offline (bridge/state) counts like its broker going away', () => {
    const { link, sink, clock, state } = zigbee({ bridgeGraceS: 5 });
    link.connect();
    state({ contact: true });
    link.send('zigbee2mqtt/bridge/state', '{"state":"offline"}');
    clock.advance(5_000);
    link.send('zigbee2mqtt/bridge/state', 'online');
    expect(sink.states.map((s) => s.online)).toEqual([true, false, true]);
  });

  it('stop clears its timer, removes its listeners and gives the link back', async () => {
    const { link, clock, driver } = zigbee();
    await driver.stop();
    expect(clock.pending).toBe(0);
    expect(link.listenerCount('message') + link.listenerCount('up') + link.listenerCount('down')).toBe(0);
    expect(link.released).toBe(1);
  });

  it('garbage between good messages never changes the events the good ones make (property)', () => {
    const good = fc.record({
      contact: fc.boolean(),
      smoke: fc.boolean(),
      battery: fc.integer({ min: 0, max: 100 }),
    });
    const garbage = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constant('{"contact":"open","smoke":1}'),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(good, fc.option(garbage, { nil: undefined })), { maxLength: 20 }),
        (steps) => {
          // Junk that is itself a readable state (a JSON object with a good field) is a message, not junk.
          fc.pre(steps.every(([, j]) => j === undefined || !readable(j)));
          const clean = zigbee();
          const noisy = zigbee();
          clean.link.connect();
          noisy.link.connect();
          for (const [message, junk] of steps) {
            clean.state(message);
            if (junk !== undefined) noisy.state(junk);
            noisy.state(message);
          }
          expect(noisy.sink.events).toEqual(clean.sink.events);
        },
      ),
      { numRuns: 300 },
    );
  });
});
