import type { SentEvent } from '../harness/fleet.ts';
import { onTopology, type Scenario, sleep } from '../harness/scenario.ts';

const MINUTE = 60_000;

/**
 * What real gateways do to the order and uniqueness of events: the same event id twice, a cancel that
 * overtakes its SOS, clocks minutes wrong. Gateway i does one of four things, by i mod 4.
 */
export const disorder: Scenario = {
  name: 'disorder-and-skew',
  what: 'every SOS sent twice with its id (¼ of gateways), sos_cancel delivered before its SOS (¼), gateway clocks 10 min behind (¼) and 10 min ahead (¼)',
  run: (options) => {
    const cancelledFirst = new Set<string>();
    const sos = new Map<string, SentEvent>();
    return onTopology(
      'disorder-and-skew',
      options,
      {
        brokers: 1,
        verify: (_rig, alerts) => {
          const byEvent = new Map(alerts.map((a) => [a.eventId, a]));
          const wrongTime = [...sos.values()].filter((e) => byEvent.get(e.eventId)?.occurredAt !== e.ts);
          const cancelled = [...cancelledFirst].map((id) => byEvent.get(id)?.state);
          const others = [...sos.keys()]
            .filter((id) => !cancelledFirst.has(id))
            .map((id) => byEvent.get(id)?.state);
          return [
            {
              what: "every alert's occurredAt is its event's own ts, skewed clocks included",
              ok: wrongTime.length === 0,
            },
            {
              what: 'an SOS overtaken by its cancel is raised and resolved',
              ok: cancelled.every((s) => s === 'resolved'),
            },
            {
              what: 'no other SOS was resolved or dropped as too old or in the future',
              ok: others.every((s) => s === 'open'),
            },
          ];
        },
      },
      async ({ fleet, log }) => {
        for (let i = 0; i < fleet.size; i++) {
          const now = Date.now();
          switch (i % 4) {
            case 0: {
              // The gateway recorded the press twice (a crash between PUBACK and outbox delete): one id, two sends.
              const e = fleet.press(i, 'sos');
              fleet.press(i, 'sos', { id: e.eventId, at: e.pressedAt });
              sos.set(e.eventId, e);
              break;
            }
            case 1: {
              // Pressed SOS, then cancel 5 s later; the cancel reaches the cloud first.
              fleet.press(i, 'sos_cancel', { at: now });
              const e = fleet.press(i, 'sos', { at: now - 5000 });
              sos.set(e.eventId, e);
              cancelledFirst.add(e.eventId);
              break;
            }
            case 2:
              sos.set(
                fleet.press(i, 'sos', { skewMs: -10 * MINUTE }).eventId,
                fleet.sent.at(-1) as SentEvent,
              );
              break;
            default:
              sos.set(fleet.press(i, 'sos', { skewMs: 10 * MINUTE }).eventId, fleet.sent.at(-1) as SentEvent);
          }
          await sleep(5);
        }
        log(`${fleet.sent.length} events sent for ${sos.size} SOS`);
        return [];
      },
    );
  },
};
