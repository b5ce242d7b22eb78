import { describe, expect, it } from 'vitest';
import { nightDoorRule } from './night-door.ts';
import { at, event, RuleHarness } from './test-harness.ts';

const day = '2026-11-23';
const withDementia = () =>
  new RuleHarness(nightDoorRule, { now: at(day, '00:00'), config: { dementia: true } });

describe('night door rule', () => {
  it('when an elder with dementia opens a door at night, a high night_door alert is raised at once', () => {
    const h = withDementia();
    const [action] = h.send(
      event('door_open', at(day, '02:30'), { id: 'ev-door', data: { room: 'front door' } }),
    );
    expect(action).toEqual({
      kind: 'raise',
      alert: expect.objectContaining({
        type: 'night_door',
        severity: 'high',
        dedupeKey: 'el-1:night_door',
        eventId: 'ev-door',
        details: { room: 'front door' },
      }),
    });
  });

  it('the night runs from 22:00 included to 06:00 excluded, local time', () => {
    const raises = (time: string, date = day) =>
      withDementia().send(event('door_open', at(date, time))).length;
    expect([raises('05:59'), raises('06:00'), raises('21:59'), raises('22:00'), raises('23:59')]).toEqual([
      1, 0, 0, 1, 1,
    ]);
  });

  it('when the elder has no dementia, a night door is not an alert', () => {
    const h = new RuleHarness(nightDoorRule, { now: at(day, '00:00') });
    expect(h.send(event('door_open', at(day, '02:30')))).toEqual([]);
  });

  it('a door closing is not its business', () => {
    expect(nightDoorRule.key(event('door_closed', at(day, '02:30')))).toBeNull();
  });
});
