import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyFilter as filter,
  referenceMatch as reference,
  anyTopic as topic,
} from '../tests/support/mqtt-reference.ts';
import { RetainedIndex } from './retained-index.ts';

const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), topic, value: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), topic }),
);

type Op = { kind: 'set'; topic: string; value: number } | { kind: 'delete'; topic: string };

function build(ops: Op[]) {
  const index = new RetainedIndex<{ topic: string; value: number }>();
  const model = new Map<string, number>();
  for (const o of ops) {
    if (o.kind === 'set') {
      index.set(o.topic, { topic: o.topic, value: o.value });
      model.set(o.topic, o.value);
    } else {
      expect(index.delete(o.topic)).toBe(model.delete(o.topic));
    }
  }
  return { index, model };
}

describe('the retained index', () => {
  it('matches exactly the topics a reference MQTT matcher matches, each once, after any sets and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(filter, { minLength: 1, maxLength: 8 }),
        (ops, filters) => {
          const { index, model } = build(ops);
          expect(index.size).toBe(model.size);
          for (const f of filters) {
            const got = [...index.match(f)].map((m) => `${m.topic}=${m.value}`).sort();
            const want = [...model]
              .filter(([t]) => reference(f, t))
              .map(([t, v]) => `${t}=${v}`)
              .sort();
            expect(got, f).toEqual(want);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers a topic with its latest message and forgets a deleted one', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), topic, (ops, probe) => {
        const { index, model } = build(ops);
        expect(index.get(probe)?.value).toBe(model.get(probe));
      }),
    );
  });

  it('holds no message once every topic is deleted again', () => {
    fc.assert(
      fc.property(fc.array(topic, { maxLength: 40 }), (topics) => {
        const index = new RetainedIndex<string>();
        for (const t of topics) index.set(t, t);
        for (const t of topics) index.delete(t);
        expect(index.size).toBe(0);
        expect([...index.match('#')]).toEqual([]);
        expect([...index.match('$s/#')]).toEqual([]);
      }),
    );
  });

  it('keeps $ topics from filters that start with a wildcard but not from filters that name them', () => {
    const index = new RetainedIndex<string>();
    for (const t of ['$SYS/broker/uptime', 'eldercare/v1/gw-1/state', 'a/$b']) index.set(t, t);
    expect([...index.match('#')].sort()).toEqual(['a/$b', 'eldercare/v1/gw-1/state']);
    expect([...index.match('+/broker/uptime')]).toEqual([]);
    expect([...index.match('$SYS/#')]).toEqual(['$SYS/broker/uptime']);
    expect([...index.match('a/+')]).toEqual(['a/$b']);
  });

  it('matches a parent level with # and an empty level with +', () => {
    const index = new RetainedIndex<string>();
    for (const t of ['a', 'a/', 'a//b', 'a/c/b']) index.set(t, t);
    expect([...index.match('a/#')].sort()).toEqual(['a', 'a/', 'a//b', 'a/c/b']);
    expect([...index.match('a/+')]).toEqual(['a/']);
    expect([...index.match('a/+/b')].sort()).toEqual(['a//b', 'a/c/b']);
  });

  it('visits only the branch a gateway filter names, however many other gateways retain messages', () => {
    const index = new RetainedIndex<string>();
    for (let i = 0; i < 20_000; i++) index.set(`eldercare/v1/gw-${i}/state`, `gw-${i}`);
    index.set('eldercare/v1/gw-7/cmd/feedback', 'feedback');
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) [...index.match(`eldercare/v1/gw-${i}/cmd/#`)];
    const perMatchMs = (performance.now() - t0) / 20_000;
    expect([...index.match('eldercare/v1/gw-7/cmd/#')]).toEqual(['feedback']);
    // A scan of 20,000 topics per filter takes milliseconds; a walk of one branch, microseconds.
    expect(perMatchMs).toBeLessThan(0.2);
  });
});
