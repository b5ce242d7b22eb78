import { describe, expect, it } from 'vitest';
import { deviceNoticeRule, deviceOfflineRule, wearableOffRule } from './device-supervision.ts';
import { deviceState, event, MINUTE_MS, RuleHarness, T0 } from './test-harness.ts';

const M = MINUTE_MS;

describe('device offline rule', () => {
  it('when a device is offline for more than 15 minutes, a medium device_offline alert is raised per device', () => {
    const h = new RuleHarness(deviceOfflineRule);
    h.send(deviceState(true, T0));
    h.send(deviceState(false, T0 + M));
    expect(h.advanceTo(T0 + 16 * M - 1)).toEqual([]);
    expect(h.advanceBy(1)).toEqual([
      {
        kind: 'raise',
        alert: expect.objectContaining({
          type: 'device_offline',
          severity: 'medium',
          dedupeKey: 'gw-1:dev-1:device_offline',
          occurredAt: T0 + M,
        }),
      },
    ]);
  });

  it('when the device is back before the window, nothing; after it, the alert clears', () => {
    const h = new RuleHarness(deviceOfflineRule);
    h.send(deviceState(false, T0));
    expect(h.send(deviceState(true, T0 + 15 * M - 1))).toEqual([]);
    h.send(deviceState(false, T0 + 20 * M));
    h.advanceTo(T0 + 40 * M);
    expect(h.send(deviceState(true, T0 + 41 * M))).toEqual([
      { kind: 'clear', dedupeKey: 'gw-1:dev-1:device_offline', note: 'the device is online again' },
    ]);
  });

  it('when the device is back at exactly the window’s end, by its own time, the alert is raised and cleared', () => {
    const h = new RuleHarness(deviceOfflineRule);
    h.send(deviceState(false, T0));
    expect(h.send(deviceState(true, T0 + 15 * M)).map((a) => a.kind)).toEqual(['raise', 'clear']);
    // Observed 1 ms before the end, delivered after it to a cloud that has not ticked yet: no alert.
    const early = new RuleHarness(deviceOfflineRule);
    early.send(deviceState(false, T0));
    expect(early.sendBeforeDue(deviceState(true, T0 + 15 * M - 1), T0 + 16 * M)).toEqual([]);
  });

  it('when the first state ever seen is online, nothing is cleared or raised', () => {
    const h = new RuleHarness(deviceOfflineRule);
    expect(h.send(deviceState(true, T0))).toEqual([]);
    expect(h.advanceBy(60 * M)).toEqual([]);
  });

  it('when an older offline state arrives after an online one, it is ignored', () => {
    const h = new RuleHarness(deviceOfflineRule);
    h.send(deviceState(true, T0 + 5 * M));
    h.send(deviceState(false, T0), T0 + 6 * M);
    expect(h.advanceBy(60 * M)).toEqual([]);
  });

  it('devices of one gateway are watched apart', () => {
    const h = new RuleHarness(deviceOfflineRule);
    h.send(deviceState(false, T0, { subject: { deviceId: 'dev-1' } }));
    h.send(deviceState(false, T0 + 5 * M, { subject: { deviceId: 'dev-2' } }));
    h.send(deviceState(true, T0 + 10 * M, { subject: { deviceId: 'dev-1' } }));
    expect(h.advanceTo(T0 + 60 * M).map((a) => a.kind === 'raise' && a.alert.dedupeKey)).toEqual([
      'gw-1:dev-2:device_offline',
    ]);
  });

  it('when the cloud restarts mid-window, the alert still fires', () => {
    const h = new RuleHarness(deviceOfflineRule);
    h.send(deviceState(false, T0));
    const restarted = RuleHarness.restore(deviceOfflineRule, h.snapshot());
    expect(restarted.advanceTo(T0 + 20 * M)).toHaveLength(1);
  });
});

describe('wearable off rule', () => {
  it('when the wearable is off for more than 30 minutes, a medium wearable_off alert is raised with the event as cause', () => {
    const h = new RuleHarness(wearableOffRule);
    h.send(event('wearable_off', T0, { id: 'ev-off-1' }));
    expect(h.advanceTo(T0 + 30 * M - 1)).toEqual([]);
    expect(h.advanceBy(1)).toEqual([
      {
        kind: 'raise',
        alert: expect.objectContaining({
          type: 'wearable_off',
          severity: 'medium',
          eventId: 'ev-off-1',
          dedupeKey: 'gw-1:dev-1:wearable_off',
        }),
      },
    ]);
  });

  it('when the wearable is on again before the window, nothing; after, the alert clears', () => {
    const h = new RuleHarness(wearableOffRule);
    h.send(event('wearable_off', T0));
    expect(h.send(event('wearable_on', T0 + 29 * M))).toEqual([]);
    expect(h.advanceBy(60 * M)).toEqual([]);
    h.send(event('wearable_off', T0 + 2 * 60 * M));
    h.advanceBy(60 * M);
    expect(h.send(event('wearable_on', T0 + 4 * 60 * M)).map((a) => a.kind)).toEqual(['clear']);
  });

  it('when an elder may take the wearable off longer, their override is used', () => {
    const h = new RuleHarness(wearableOffRule, { elders: { 'el-1': { wearableOffMinutes: 120 } } });
    h.send(event('wearable_off', T0));
    expect(h.advanceTo(T0 + 120 * M - 1)).toEqual([]);
    expect(h.advanceBy(1)).toHaveLength(1);
  });

  it('when wearable_on is the first thing seen, nothing happens', () => {
    expect(new RuleHarness(wearableOffRule).send(event('wearable_on', T0))).toEqual([]);
  });
});

describe('device notice rule', () => {
  it('a low battery raises a low alert at once, per device', () => {
    const h = new RuleHarness(deviceNoticeRule);
    const [action] = h.send(event('low_battery', T0, { data: { battery: 8 } }));
    expect(action).toMatchObject({
      kind: 'raise',
      alert: {
        type: 'low_battery',
        severity: 'low',
        dedupeKey: 'gw-1:dev-1:low_battery',
        details: { battery: 8 },
      },
    });
    expect(h.state('gw-1:dev-1')).toBeUndefined();
  });

  it('a tamper raises a low alert at once, per device, like a low battery', () => {
    const [action] = new RuleHarness(deviceNoticeRule).send(
      event('tamper', T0, { subject: { deviceId: 'door-1' } }),
    );
    expect(action).toMatchObject({
      kind: 'raise',
      alert: { type: 'tamper', severity: 'low', dedupeKey: 'gw-1:door-1:tamper' },
    });
  });
});
