import { describe, expect, it } from 'vitest';
import type { ServiceTicket } from '../../protocol/index.ts';
import { atHomeFrom, centreEntries, familyRequests, mergeVitals, type PresenceEvent } from './family.ts';

/** Events newest first, as the overview reads them; `[device, type, minute]`. */
const events = (...list: [string, string, number][]): PresenceEvent[] =>
  list
    .map(([deviceId, type, minute]) => ({
      deviceId,
      type,
      ts: `2025-01-01T08:${String(minute).padStart(2, '0')}:00.000Z`,
    }))
    .sort((a, b) => b.ts.localeCompare(a.ts));

describe('whether an elder is at home', () => {
  it.each([
    { story: 'no radar ever spoke', seen: events(['door', 'door_open', 1]), atHome: null },
    {
      story: 'one radar sees them',
      seen: events(['bath', 'absence', 1], ['bed', 'presence', 2]),
      atHome: true,
    },
    {
      story: 'every radar empty and no door sensor',
      seen: events(['bed', 'presence', 1], ['bed', 'absence', 2]),
      atHome: false,
    },
    {
      story: 'every radar empty and the door moved after they were last seen',
      seen: events(
        ['bed', 'presence', 1],
        ['bed', 'absence', 2],
        ['door', 'door_open', 3],
        ['door', 'door_closed', 4],
      ),
      atHome: false,
    },
    {
      story: 'every radar empty but the door has not moved since they were seen (a room without a radar)',
      seen: events(['door', 'door_closed', 1], ['bed', 'presence', 2], ['bed', 'absence', 3]),
      atHome: true,
    },
    {
      story: 'back home: the door, then a radar sees them',
      seen: events(['bed', 'absence', 1], ['door', 'door_open', 2], ['bed', 'presence', 3]),
      atHome: true,
    },
  ])('$story: $atHome', ({ seen, atHome }) => {
    expect(atHomeFrom(seen)).toBe(atHome);
  });
});

describe('the latest vitals', () => {
  it('merges each vital’s newest value within the hour of the newest reading, and leaves older ones out', () => {
    const rows = [
      { ts: '2025-01-01T10:00:00.000Z', hr: 72, spo2: null },
      { ts: '2025-01-01T09:40:00.000Z', hr: 80, rr: 16 },
      { ts: '2025-01-01T08:30:00.000Z', temp: 36.6 },
    ];
    expect(mergeVitals(rows)).toEqual({ ts: '2025-01-01T10:00:00.000Z', hr: 72, rr: 16 });
    expect(mergeVitals([])).toBeNull();
  });
});

describe('what the centre did, as a family reads it', () => {
  it('keeps the steps and their facts, drops operator notes and names, and keeps a family member’s own words', () => {
    const at = '2025-01-01T10:00:00.000Z';
    expect(
      centreEntries([
        { at, actor: 'system', action: 'raised' },
        { at, actor: 'op-a', action: 'acknowledged', note: 'son unreachable' },
        { at, actor: 'op-a', action: 'note', note: 'key under the mat' },
        {
          at,
          actor: 'op-a',
          action: 'responder_accepted',
          note: 'AED',
          data: { responder: '张建华', etaMinutes: 8 },
        },
        {
          at,
          actor: 'fam',
          action: 'family_accepted',
          note: 'bringing keys',
          data: { by: 'fam', etaMinutes: 15 },
        },
        { at, actor: 'system', action: 'notified', data: { recipient: 'fam' } },
        { at, actor: 'op-a', action: 'resolved', note: 'fine', data: { outcome: 'assisted' } },
      ]),
    ).toEqual([
      { at, action: 'acknowledged' },
      { at, action: 'responder_accepted', responder: '张建华', etaMinutes: 8 },
      { at, action: 'family_accepted', by: 'fam', etaMinutes: 15, note: 'bringing keys' },
      { at, action: 'resolved', outcome: 'assisted' },
    ]);
  });
});

describe('the green-key requests, as a family reads them', () => {
  const NOW = Date.parse('2026-11-22T12:00:00.000Z');
  const ticket = (id: string, requestedAt: string, more: Partial<ServiceTicket> = {}): ServiceTicket => ({
    id,
    service: 'meal',
    state: 'requested',
    elderId: 'el-1',
    householdId: 'hh-1',
    region: 'cn/x',
    gatewayId: 'gw-1',
    deviceId: 'key-1',
    eventId: `ev-${id}`,
    requestedAt,
    receivedAt: requestedAt,
    repeatCount: 0,
    lastRequestedAt: requestedAt,
    ...more,
  });

  it('shows waiting ones of any age and ones closed within the week, newest first, without staff names or notes', () => {
    const shown = familyRequests(
      [
        ticket('old-waiting', '2026-11-01T08:00:00.000Z'),
        ticket('done-long-ago', '2026-11-10T08:00:00.000Z', {
          state: 'done',
          doneAt: '2026-11-10T09:00:00.000Z',
          doneBy: 'helper',
        }),
        ticket('done-yesterday', '2026-11-21T08:00:00.000Z', {
          state: 'done',
          acceptedAt: '2026-11-21T08:05:00.000Z',
          acceptedBy: 'helper-wang',
          doneAt: '2026-11-21T09:00:00.000Z',
          doneBy: 'helper-wang',
          note: 'key under the mat',
        }),
      ],
      NOW,
    );
    expect(shown.map((r) => r.id)).toEqual(['done-yesterday', 'old-waiting']);
    expect(shown[0]).toEqual({
      id: 'done-yesterday',
      service: 'meal',
      state: 'done',
      requestedAt: '2026-11-21T08:00:00.000Z',
      acceptedAt: '2026-11-21T08:05:00.000Z',
      doneAt: '2026-11-21T09:00:00.000Z',
    });
  });
});
