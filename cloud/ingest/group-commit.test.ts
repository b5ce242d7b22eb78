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
});
