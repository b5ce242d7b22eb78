import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  encodeHeartRate,
  encodeRfReceived,
  encodeSyFrame,
  encodeTinyFrame,
  RF_ACK,
  TF_TYPE,
} from '../codecs/index.ts';
import type { DeviceConfig } from '../config.ts';
import { FakeClock, FakeLink, recordingSink } from '../test-support.ts';
import { BleVitalsDriver, vitalsOf } from './ble-vitals.ts';
import { RadarDriver, SEEED_SY, TINYFRAME } from './radar.ts';
import { Rf433BridgeDriver } from './rf433-bridge.ts';

const logger = pino({ level: 'silent' });
const serial = { type: 'serial' as const, path: '/dev/null', baudRate: 115200 };
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function radar(protocol = SEEED_SY) {
  const link = new FakeLink();
  const sink = recordingSink();
  const clock = new FakeClock();
  const device: DeviceConfig = { id: 'radar', kind: 'mr60fda1', transport: serial };
  const driver = new RadarDriver(device, { link, sink, logger, clock, protocol, vitalsEveryMs: 10_000 });
  driver.start();
  return { link, sink, clock, driver };
}

describe('the 60 GHz radar driver', () => {
  it('a fall frame becomes one fall event, and the clear after it one fall_cleared', () => {
    const { link, sink } = radar();
    link.deviceSends(hex('53 59 83 01 00 01 01 32 54 43'));
    link.deviceSends(hex('53 59 83 01 00 01 01 32 54 43'));
    link.deviceSends(hex('53 59 83 01 00 01 00 31 54 43'));
    expect(sink.events.map((e) => e.type)).toEqual(['fall', 'fall_cleared']);
  });

  it('a "no fall" report at boot is not a recovery from anything', () => {
    const { link, sink } = radar();
    link.deviceSends(hex('53 59 83 01 00 01 00 31 54 43'));
    expect(sink.events).toEqual([]);
  });

  it('a fall frame split across two writes is still one fall', () => {
    const { link, sink } = radar();
    link.deviceSends(hex('53 59 83 01 00'));
    link.deviceSends(hex('01 01 32 54 43'));
    expect(sink.events.map((e) => e.type)).toEqual(['fall']);
  });

  it('presence changes become presence and absence events, repeats do not', () => {
    const { link, sink } = radar();
    for (const f of [
      '53 59 80 01 00 01 01 2F 54 43',
      '53 59 80 01 00 01 01 2F 54 43',
      '53 59 80 01 00 01 00 2E 54 43',
    ])
      link.deviceSends(hex(f));
    expect(sink.events.map((e) => e.type)).toEqual(['presence', 'absence']);
  });

  it('heart and breath rates are folded into one vitals message per period', () => {
    const { link, sink, clock } = radar();
    link.deviceSends(hex('53 59 85 02 00 01 59 8D 54 43'));
    link.deviceSends(hex('53 59 81 02 00 01 10 40 54 43'));
    expect(sink.readings).toEqual([]);
    clock.advance(10_000);
    expect(sink.readings).toEqual([{ deviceId: 'radar', reading: { hr: 89, rr: 16 } }]);
    clock.advance(10_000);
    expect(sink.readings).toHaveLength(1);
  });

  it('the radar is online from its first frame and offline after three silent minutes, never by hours', () => {
    const { link, sink, clock } = radar();
    expect(sink.states).toEqual([]);
    link.deviceSends(hex('53 59 01 01 00 01 0F BE 54 43'));
    expect(sink.states).toEqual([{ deviceId: 'radar', online: true }]);
    clock.advance(179_000);
    link.deviceSends(hex('53 59 01 01 00 01 0F BE 54 43'));
    clock.advance(179_999);
    expect(sink.states).toHaveLength(1);
    clock.advance(1);
    expect(sink.states.at(-1)).toEqual({ deviceId: 'radar', online: false });
  });

  it('an unplugged port makes the radar offline at once', () => {
    const { link, sink } = radar();
    link.deviceSends(hex('53 59 01 01 00 01 0F BE 54 43'));
    link.unplug();
    expect(sink.states.map((s) => s.online)).toEqual([true, false]);
  });

  it('the driver sends the heartbeat query when the port opens and every minute', () => {
    const { link, clock } = radar();
    expect(link.written[0]).toEqual(encodeSyFrame(0x01, 0x01, Uint8Array.of(0x0f)));
    clock.advance(60_000);
    expect(link.written).toHaveLength(2);
  });

  it('the TinyFrame radar reports a fall and heart rate the same way', () => {
    const { link, sink, clock } = radar(TINYFRAME);
    link.deviceSends(hex('01 00 00 00 01 0E 02 F3 01 FE'));
    link.deviceSends(hex('01 00 00 00 04 0A 15 E5 00 00 90 42 2D'));
    link.deviceSends(encodeTinyFrame(0x0100, Buffer.from('invalid BR = 7082')));
    clock.advance(10_000);
    expect(sink.events.map((e) => e.type)).toEqual(['fall']);
    expect(sink.readings).toEqual([{ deviceId: 'radar', reading: { hr: 72 } }]);
    expect(TF_TYPE.getParameters).toBeTypeOf('number');
  });

  it('stopping the driver clears every timer', async () => {
    const { driver, clock } = radar();
    await driver.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('the 433 MHz bridge driver', () => {
  const codes = {
    '77535C': 'sos',
    '0207C8': 'sos_cancel',
    '4D5939': 'checkin',
    ABCDEF: 'service_request:meal',
    ABCDE0: { type: 'service_request', service: 'visit' },
  } as const;
  function bridge() {
    const link = new FakeLink();
    const sink = recordingSink();
    const clock = new FakeClock();
    const device: DeviceConfig = {
      id: 'sos',
      kind: 'rf433-bridge',
      transport: { ...serial, baudRate: 19200 },
      codes,
      feedbackCode: '123456',
    };
    const driver = new Rf433BridgeDriver(device, { link, sink, logger, clock });
    driver.start();
    return { link, sink, clock, driver };
  }
  const frame = (code: string) => encodeRfReceived({ sync: 9920, low: 310, high: 970, code });

  it('a held SOS button with noise before it is one sos event, and every frame is acknowledged', () => {
    const { link, sink, clock } = bridge();
    link.deviceSends(Buffer.concat([hex('12 34 AA'), frame('77535C')]));
    clock.advance(100);
    link.deviceSends(frame('77535C'));
    clock.advance(100);
    link.deviceSends(frame('77535C'));
    expect(sink.events.map((e) => e.type)).toEqual(['sos']);
    expect(link.written.filter((w) => w.equals(Buffer.from(RF_ACK)))).toHaveLength(3);
  });

  it('two presses more than a second apart are two events', () => {
    const { link, sink, clock } = bridge();
    link.deviceSends(frame('4D5939'));
    clock.advance(1500);
    link.deviceSends(frame('4D5939'));
    expect(sink.events.map((e) => e.type)).toEqual(['checkin', 'checkin']);
  });

  it('a green key maps to a service request with its service, and an unknown code to nothing', () => {
    const { link, sink } = bridge();
    link.deviceSends(frame('ABCDEF'));
    link.deviceSends(frame('000001'));
    expect(sink.events).toEqual([{ deviceId: 'sos', type: 'service_request', data: { service: 'meal' } }]);
  });

  it('a code written in the object form {type, service} means the same as the string form', () => {
    const { link, sink } = bridge();
    link.deviceSends(frame('ABCDE0'));
    expect(sink.events).toEqual([{ deviceId: 'sos', type: 'service_request', data: { service: 'visit' } }]);
  });

  it('the bridge is online while its port is open', () => {
    const { link, sink } = bridge();
    link.unplug();
    expect(sink.states.map((s) => s.online)).toEqual([true, false]);
  });

  it('an acknowledged alert makes the bridge send its feedback code', () => {
    const { link, driver } = bridge();
    driver.feedback({ alertId: 'a1', state: 'acknowledged', ts: new Date().toISOString() });
    expect(link.written.at(-1)?.subarray(0, 2)).toEqual(hex('AA A5'));
  });
});

describe('the BLE vitals driver', () => {
  // A radio that is still looking for the wearable: enough to start the driver's timers.
  const searching = { connect: () => new Promise<never>(() => {}) };
  function wearable(source: typeof searching | null = searching) {
    const sink = recordingSink();
    const clock = new FakeClock();
    const device: DeviceConfig = {
      id: 'band',
      kind: 'ble-vitals',
      transport: { type: 'ble', address: 'AA:BB:CC:DD:EE:FF' },
    };
    const driver = new BleVitalsDriver(device, { source, sink, logger, clock, vitalsEveryMs: 10_000 });
    return { sink, clock, driver };
  }

  it('maps the worked GATT examples to contract vitals', () => {
    const { driver, sink, clock } = wearable();
    driver.start();
    driver.onValue(0x2a37, hex('10 48 34 03'));
    driver.onValue(0x2a5e, hex('00 61 00 48 00'));
    driver.onValue(0x2a1c, hex('00 6E 01 00 FF'));
    driver.onValue(0x2a35, hex('00 78 00 50 00 5D 00'));
    clock.advance(10_000);
    expect(sink.readings).toEqual([
      { deviceId: 'band', reading: { hr: 72, spo2: 97, temp: 36.6, sys: 120, dia: 80 } },
    ]);
    expect(vitalsOf({ kind: 'battery', percent: 50 })).toEqual({});
  });

  it('without Bluetooth on the machine the wearable is reported offline and nothing throws', () => {
    const { driver, sink } = wearable(null);
    driver.start();
    expect(sink.states).toEqual([{ deviceId: 'band', online: false }]);
  });

  it('a low battery is reported once until it recovers, and losing skin contact is wearable_off', () => {
    const { driver, sink } = wearable();
    driver.onValue(0x2a19, hex('0A'));
    driver.onValue(0x2a19, hex('09'));
    driver.onValue(0x2a19, hex('50'));
    driver.onValue(0x2a19, hex('0A'));
    driver.onValue(0x2a37, encodeHeartRate({ bpm: 70, sensorContact: 'detected' }));
    driver.onValue(0x2a37, encodeHeartRate({ bpm: 70, sensorContact: 'notDetected' }));
    expect(sink.events.map((e) => e.type)).toEqual(['low_battery', 'low_battery', 'wearable_off']);
  });
});
