import { describe, expect, it } from 'vitest';
import { AlertQueue, type QueueChange } from '../dashboard/src/queue-store.ts';
import { childOf, countByChild, countByRegion } from '../dashboard/src/region-counts.ts';
import { KEEP_CLOSED_MS, ServiceQueue } from '../dashboard/src/service-store.ts';
import type { AlertView, ServiceTicket } from '../dashboard/src/types.ts';

function alert(id: string, over: Partial<AlertView> = {}): AlertView {
  return {
    id,
    type: 'sos',
    severity: 'critical',
    state: 'open',
    elderId: 'el-1',
    householdId: 'hh-1',
    region: 'ziyang.yanjiang.shizishan',
    gatewayId: 'gw-1',
    deviceId: 'gw-1-sos',
    eventId: `ev-${id}-000000`,
    occurredAt: '2026-11-22T08:00:00.000Z',
    receivedAt: '2026-11-22T08:00:00.000Z',
    raisedAt: '2026-11-22T08:00:00.000Z',
    escalationLevel: 0,
    ...over,
  };
}

function recording(queue: AlertQueue): QueueChange[] {
  const changes: QueueChange[] = [];
  queue.subscribe((c) => changes.push(c));
  return changes;
}

describe('the dashboard queue merges socket pushes, action answers and REST re-syncs', () => {
  it('orders by severity, then the longest waiting first', () => {
    const queue = new AlertQueue();
    queue.apply(alert('late-critical', { raisedAt: '2026-11-22T08:05:00.000Z' }));
    queue.apply(alert('low', { severity: 'low', raisedAt: '2026-11-22T07:00:00.000Z' }));
    queue.apply(alert('early-critical', { raisedAt: '2026-11-22T08:01:00.000Z' }));
    queue.apply(alert('high', { severity: 'high' }));
    expect(queue.sorted().map((a) => a.id)).toEqual(['early-critical', 'late-critical', 'high', 'low']);
  });

  it('a late push of an older state never takes an acknowledged alert back to open', () => {
    const queue = new AlertQueue();
    queue.apply(alert('a', { state: 'acknowledged', acknowledgedBy: 'op-1' }));
    queue.apply(alert('a'));
    expect(queue.get('a')?.state).toBe('acknowledged');
  });

  it('a resolved alert leaves the queue and a later snapshot that still holds it does not bring it back', () => {
    const queue = new AlertQueue();
    const changes = recording(queue);
    queue.apply(alert('a'));
    const seq = queue.beginSync();
    queue.apply(alert('a', { state: 'resolved' }));
    queue.finishSync(seq, [alert('a')]);
    expect(queue.get('a')).toBeUndefined();
    const again = queue.beginSync();
    queue.finishSync(again, [alert('a')]);
    expect(queue.get('a')).toBeUndefined();
    expect(changes.flatMap((c) => c.removed)).toEqual(['a']);
  });

  it('a snapshot in flight does not overwrite what the socket said meanwhile, nor drop what it pushed', () => {
    const queue = new AlertQueue();
    queue.apply(alert('a'));
    const seq = queue.beginSync();
    queue.apply(alert('a', { state: 'acknowledged', acknowledgedBy: 'op-2' }));
    queue.apply(alert('b'));
    queue.finishSync(seq, [alert('a')]);
    expect(queue.get('a')?.acknowledgedBy).toBe('op-2');
    expect(queue.get('b')).toBeDefined();
  });

  it('a re-sync finds the alerts raised while the page was offline, reports them as new, and drops the ones gone', () => {
    const queue = new AlertQueue();
    queue.apply(alert('stale'));
    const changes = recording(queue);
    const seq = queue.beginSync();
    expect(queue.finishSync(seq, [alert('missed')])).toBe(true);
    expect(changes).toEqual([{ added: [alert('missed')], updated: [], removed: ['stale'] }]);
  });

  it('a superseded re-sync is ignored', () => {
    const queue = new AlertQueue();
    const first = queue.beginSync();
    const second = queue.beginSync();
    expect(queue.finishSync(first, [alert('old')])).toBe(false);
    expect(queue.finishSync(second, [])).toBe(true);
    expect(queue.sorted()).toEqual([]);
  });
});

describe('the supervisor counters count the live queue per child region', () => {
  it('names the child region of a scope that holds an alert', () => {
    expect(childOf('ziyang.yanjiang', 'ziyang.yanjiang.shizishan')).toBe('ziyang.yanjiang.shizishan');
    expect(childOf('ziyang', 'ziyang.yanjiang.shizishan')).toBe('ziyang.yanjiang');
    expect(childOf('ziyang.anyue', 'ziyang.yanjiang.shizishan')).toBeNull();
    expect(childOf('ziyang.yanjiang', 'ziyang.yanjiang')).toBeNull();
  });

  it('counts open alerts by severity and acknowledged ones apart, with zeros for quiet communities', () => {
    const counts = countByChild(
      'ziyang.yanjiang',
      ['ziyang.yanjiang.liantai', 'ziyang.yanjiang.shizishan'],
      [
        alert('a'),
        alert('b', { severity: 'high' }),
        alert('c', { state: 'acknowledged' }),
        alert('d', { region: 'ziyang.anyue.zhouli' }),
      ],
    );
    expect(counts).toEqual([
      {
        id: 'ziyang.yanjiang.liantai',
        open: { critical: 0, high: 0, medium: 0, low: 0 },
        acknowledged: 0,
        openTotal: 0,
      },
      {
        id: 'ziyang.yanjiang.shizishan',
        open: { critical: 1, high: 1, medium: 0, low: 0 },
        acknowledged: 1,
        openTotal: 2,
      },
    ]);
  });

  it('the city table counts each alert in its community, its district and the city', () => {
    const counts = countByRegion([
      alert('a'),
      alert('b', { region: 'ziyang.anyue.zhouli', state: 'acknowledged' }),
    ]);
    expect(counts.get('ziyang')?.openTotal).toBe(1);
    expect(counts.get('ziyang')?.acknowledged).toBe(1);
    expect(counts.get('ziyang.yanjiang')?.open.critical).toBe(1);
    expect(counts.get('ziyang.anyue.zhouli')?.acknowledged).toBe(1);
    expect(counts.has('ziyang.anyue.yuelong')).toBe(false);
  });
});

describe('the dashboard’s service-request queue', () => {
  const ticket = (id: string, over: Partial<ServiceTicket> = {}): ServiceTicket => ({
    id,
    service: 'meal',
    state: 'requested',
    elderId: 'el-1',
    householdId: 'hh-1',
    region: 'ziyang.yanjiang.shizishan',
    gatewayId: 'gw-1',
    deviceId: 'gw-1-keys',
    eventId: `ev-${id}-000000`,
    requestedAt: '2026-11-22T08:00:00.000Z',
    receivedAt: '2026-11-22T08:00:00.000Z',
    repeatCount: 0,
    lastRequestedAt: '2026-11-22T08:00:00.000Z',
    ...over,
  });
  const now = Date.parse('2026-11-22T09:00:00.000Z');

  it('waiting tickets come first, the longest waiting first, and a late push never takes a done ticket back', () => {
    const services = new ServiceQueue();
    services.apply(ticket('late', { requestedAt: '2026-11-22T08:30:00.000Z' }));
    services.apply(ticket('done', { state: 'done', doneAt: '2026-11-22T08:40:00.000Z', tookS: 2400 }));
    services.apply(ticket('early', { requestedAt: '2026-11-22T07:30:00.000Z', state: 'accepted' }));
    services.load([ticket('done')]);
    expect(services.sorted(now).map((t) => [t.id, t.state])).toEqual([
      ['early', 'accepted'],
      ['late', 'requested'],
      ['done', 'done'],
    ]);
    expect(services.waiting()).toBe(1);
  });

  it('a closed ticket drops off the screen after twelve hours', () => {
    const services = new ServiceQueue();
    services.apply(ticket('c', { state: 'cancelled', cancelledAt: '2026-11-22T08:00:00.000Z' }));
    expect(services.sorted(now)).toHaveLength(1);
    expect(services.sorted(Date.parse('2026-11-22T08:00:00.000Z') + KEEP_CLOSED_MS)).toHaveLength(0);
  });
});
