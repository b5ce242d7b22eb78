import { stat } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

describe('group commit', () => {
  it('items added within the window are stored in one batch, in arrival order', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number>(async (items) => {
      batches.push(items);
    });
    await Promise.all([1, 2, 3].map((n) => group.add(n)));
    expect(batches).toEqual([[1, 2, 3]]);
    await group.stop();
  });

  it('a batch that fails is stored again item by item, so only the poisonous item is refused', async () => {
    const stored: number[] = [];
    const group = new GroupCommit<number>(async (items) => {
      if (items.includes(2)) throw new Error('poison');
      stored.push(...items);
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => group.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(stored).toEqual([1, 3]);
    await group.stop();
  });

  it('no batch starts while the priority lane is busy, and a full batch does not wait for the window', async () => {
    let laneFree!: () => void;
    const lane = new Promise<void>((resolve) => {
      laneFree = resolve;
    });
    const batches: number[][] = [];
    const group = new GroupCommit<number>(
      async (items) => {
        batches.push(items);
      },
      { maxItems: 2, windowMs: 60_000 },
      () => lane,
    );
    const both = Promise.all([group.add(1), group.add(2)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([]);
    laneFree();
    await both;
    expect(batches).toEqual([[1, 2]]);
    await group.stop();
  });

  it('room() holds the producer back while the queue is full, until a batch is taken', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const group = new GroupCommit<number>(async () => gate, { maxItems: 1, maxQueued: 2, windowMs: 1 });
    const added = [1, 2, 3].map((n) => group.add(n));
    let roomy = false;
    const room = group.room().then(() => {
      roomy = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(group.queued).toBe(2);
    expect(roomy).toBe(false);
    release();
    await room;
    await Promise.all(added);
    expect(roomy).toBe(true);
    await group.stop();
  });

  it('with no window, a lone item is stored in the same turn of the loop, without a timer', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number>(
      async (items) => {
        batches.push(items);
      },
      { windowMs: 0 },
    );
    // From an I/O callback (as a packet arrives): a 0 ms timer set first would fire before any window.
    await new Promise((r) => stat('.', r));
    let timerFired = false;
    const timer = setTimeout(() => {
      timerFired = true;
    }, 0);
    await group.add(1);
    expect(batches).toEqual([[1]]);
    expect(timerFired).toBe(false);
    clearTimeout(timer);
    await group.stop();
  });

  it('with no window, items that arrive while a batch commits are the next batch, whole, up to the cap', async () => {
    let release!: () => void;
    const committing = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batches: number[][] = [];
    const group = new GroupCommit<number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await committing;
      },
      { windowMs: 0, maxItems: 4 },
    );
    const first = group.add(0);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[0]]);
    const rest = [1, 2, 3, 4, 5, 6].map((n) => group.add(n));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([[0]]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], [1, 2, 3, 4], [5, 6]]);
    await group.stop();
  });

  it('each item resolves with what the store answered for it, from the attempt that committed', async () => {
    const group = new GroupCommit<number, string>(
      async (items) => {
        if (items.includes(2)) throw new Error('poison');
        return items.map((n) => `stored ${n}`);
      },
      { windowMs: 0 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((n) => group.add(n)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'stored 1' },
      { status: 'rejected', reason: new Error('poison') },
      { status: 'fulfilled', value: 'stored 3' },
    ]);
    await group.stop();
  });
});
