import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';

const dirs: string[] = [];
function path(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  dirs.push(dir);
  return join(dir, 'outbox.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const event = (i: number) => ({
  topic: 't/e',
  payload: `{"i":${i}}`,
  qos: 1 as const,
  retain: false,
  kind: 'event' as const,
  eventId: `event-${i}`,
});
const vitals = (i: number) => ({
  topic: 't/v',
  payload: `{"v":${i}}`,
  qos: 1 as const,
  retain: false,
  kind: 'vitals' as const,
  eventId: null,
});
const state = (topic: string, i: number) => ({
  topic,
  payload: `{"s":${i}}`,
  qos: 1 as const,
  retain: true,
  kind: 'state' as const,
  eventId: null,
});

describe('the store-and-forward outbox', () => {
  it('keeps entries in order across a close and reopen, as after a kill or a power cut', () => {
    const p = path();
    const a = new Outbox(p);
    for (let i = 0; i < 5; i++) a.enqueue(event(i));
    a.close();
    const b = new Outbox(p);
    expect(b.peek(10).map((e) => e.payload)).toEqual([0, 1, 2, 3, 4].map((i) => `{"i":${i}}`));
    b.close();
  });

  it('an entry leaves only when removed after its PUBACK', () => {
    const box = new Outbox(path());
    const { seq } = box.enqueue(event(1));
    box.enqueue(event(2));
    box.remove(seq);
    expect(box.peek(10).map((e) => e.eventId)).toEqual(['event-2']);
    box.close();
  });

  it('when full, the oldest vitals are shed first and events are never dropped', () => {
    const box = new Outbox(path(), 100);
    for (let i = 0; i < 60; i++) box.enqueue(vitals(i));
    for (let i = 0; i < 40; i++) box.enqueue(event(i));
    const { shed } = box.enqueue(event(40));
    expect(shed).toBe(1);
    for (let i = 41; i < 200; i++) box.enqueue(event(i));
    const kinds = box.peek(1000).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'event')).toHaveLength(200);
    expect(kinds.filter((k) => k === 'vitals')).toHaveLength(0);
    expect(box.overLimitEvents).toBeGreaterThan(0);
    box.close();
  });

  it('a vitals reading that finds only events in a full queue is refused, not stored over an event', () => {
    const box = new Outbox(path(), 100);
    for (let i = 0; i < 100; i++) box.enqueue(event(i));
    expect(box.enqueue(vitals(0)).seq).toBe(-1);
    expect(box.size()).toBe(100);
    box.close();
  });

  it('a new device state replaces the pending state of the same device', () => {
    const box = new Outbox(path());
    box.enqueue(state('s/a', 1));
    box.enqueue(state('s/b', 1));
    box.enqueue(state('s/a', 2));
    expect(box.peek(10).map((e) => `${e.topic}=${e.payload}`)).toEqual(['s/b={"s":1}', 's/a={"s":2}']);
    box.close();
  });

  it('remembers which events already went out by SMS, across a reopen', () => {
    const p = path();
    const a = new Outbox(p);
    a.markSmsSent('event-1');
    a.close();
    const b = new Outbox(p);
    expect(b.smsAlreadySent('event-1')).toBe(true);
    expect(b.smsAlreadySent('event-2')).toBe(false);
    b.close();
  });
});
