/** When a batch is stored: the first of its items waits at most `windowMs` for company. */
export interface GroupCommitLimits {
  /**
   * Longest an item waits for others before its batch is stored (ms). 0: no timer; a batch starts at the
   * end of the current turn of the event loop (`setImmediate`), so it takes every item already read.
   */
  windowMs: number;
  /** Most items in one transaction. */
  maxItems: number;
  /** Items waiting before `room()` holds the producer back (the MQTT link stops reading the broker). */
  maxQueued: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitLimits = { windowMs: 20, maxItems: 500, maxQueued: 10_000 };

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers items (vitals readings, device events) and stores them in batches, one transaction each, so a
 * commit (an fsync on SQLite) is paid per batch rather than per item. One batch is stored at a time, in
 * arrival order; `before` runs ahead of each batch (the priority lane: events in flight go first). A batch
 * that fails is stored again item by item, so a poisonous item fails alone, as it did when every item was
 * its own transaction. Each `add` resolves once its item is committed, with what `store` answered for it
 * (its result at the same index; `store` answers nothing when items have no result).
 *
 * Two ways to batch: with a window (the first item waits up to `windowMs` for company), or classic group
 * commit (`windowMs: 0`): no timer; a lone item is stored at the end of the loop's current turn (with
 * whatever else that turn read from the socket), and what arrives while a batch is committing is the next
 * batch, up to `maxItems`.
 */
export class GroupCommit<T, R = void> {
  // biome-ignore lint/suspicious/noConfusingVoidType: a store of items without results answers nothing.
  readonly #store: (items: T[]) => Promise<R[] | undefined | void>;
  readonly #before: () => Promise<void>;
  readonly #limits: GroupCommitLimits;
  #queue: Waiting<T, R>[] = [];
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #running: Promise<void> | null = null;
  #roomWaiters: (() => void)[] = [];

  constructor(
    // biome-ignore lint/suspicious/noConfusingVoidType: as above.
    store: (items: T[]) => Promise<R[] | undefined | void>,
    limits: Partial<GroupCommitLimits> = {},
    before: () => Promise<void> = async () => {},
  ) {
    this.#store = store;
    this.#before = before;
    this.#limits = { ...DEFAULT_GROUP_COMMIT, ...limits };
  }

  /** Items waiting for a batch (not counting the one being stored). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues `item`; `now`: store its batch without waiting for the window (someone waits on the commit). */
  add(item: T, now = false): Promise<R> {
    const committed = new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
    });
    if (now || this.#queue.length >= this.#limits.maxItems) this.#runNow();
    else if (this.#timer === null && this.#running === null)
      this.#timer =
        this.#limits.windowMs > 0
          ? setTimeout(() => this.#runNow(), this.#limits.windowMs)
          : setImmediate(() => this.#runNow());
    return committed;
  }

  /** Resolves when fewer than `maxQueued` items wait: the producer's backpressure. */
  room(): Promise<void> {
    if (this.#queue.length < this.#limits.maxQueued) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Stores everything queued, then resolves. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running !== null) {
      this.#runNow();
      await this.#running;
    }
  }

  /** Stores what is queued and stops the window timer. */
  async stop(): Promise<void> {
    await this.flush();
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    if (this.#limits.windowMs > 0) clearTimeout(this.#timer as NodeJS.Timeout);
    else clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = null;
  }

  #runNow(): void {
    this.#clearTimer();
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
      // Queued between the loop's last look and here: nobody else would start it.
      if (this.#queue.length > 0) this.#runNow();
    });
  }

  /** Batches one after another while anything is queued: a backlog waits for no window. */
  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      await this.#before();
      const batch = this.#queue.splice(0, this.#limits.maxItems);
      if (this.#queue.length < this.#limits.maxQueued) for (const wake of this.#roomWaiters.splice(0)) wake();
      await this.#commit(batch);
    }
  }

  async #commit(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.#store(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        w.resolve((results as R[] | undefined)?.[i] as R);
      });
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
    }
    for (const w of batch)
      await this.#store([w.item]).then(
        (results) => w.resolve((results as R[] | undefined)?.[0] as R),
        (err: unknown) => w.reject(err),
      );
  }
}
