/**
 * Retained messages in a trie of topic levels, walked with a subscription's filter: a SUBSCRIBE costs
 * what its filter can match, not the number of retained messages. Aedes's in-memory store tested every
 * retained message against each new filter, and every gateway leaves one (its `online` state), so a
 * connect cost more with every gateway already connected (docs/benchmarks/README.md).
 *
 * Matching is MQTT's (3.1.1 §4.7, 5.0 §4.7): `+` is one level, empty levels included (as Aedes's live
 * routing does, [MQTT-4.7.1-3]); `#` is the level it stands at and everything below, so `a/#` matches `a`;
 * a filter starting with a wildcard never matches a topic starting with `$` [MQTT-4.7.2-1].
 */
interface Node<T> {
  children: Map<string, Node<T>> | null;
  value: T | undefined;
}

const SEPARATOR = '/';
const ONE = '+';
const SOME = '#';

const newNode = <T>(): Node<T> => ({ children: null, value: undefined });

export class RetainedIndex<T> {
  #root: Node<T> = newNode();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(topic: string): T | undefined {
    let node: Node<T> | undefined = this.#root;
    for (const level of topic.split(SEPARATOR)) {
      node = node.children?.get(level);
      if (!node) return undefined;
    }
    return node.value;
  }

  set(topic: string, value: T): void {
    let node = this.#root;
    for (const level of topic.split(SEPARATOR)) {
      node.children ??= new Map();
      let child = node.children.get(level);
      if (!child) {
        child = newNode();
        node.children.set(level, child);
      }
      node = child;
    }
    if (node.value === undefined) this.#size++;
    node.value = value;
  }

  /** Removes the topic's message and the branches left empty, so deleted topics hold no memory. */
  delete(topic: string): boolean {
    const path: Node<T>[] = [this.#root];
    const levels = topic.split(SEPARATOR);
    for (const level of levels) {
      const child = path[path.length - 1]?.children?.get(level);
      if (!child) return false;
      path.push(child);
    }
    const leaf = path[path.length - 1] as Node<T>;
    if (leaf.value === undefined) return false;
    leaf.value = undefined;
    this.#size--;
    for (let i = levels.length; i > 0; i--) {
      const node = path[i] as Node<T>;
      if (node.value !== undefined || (node.children?.size ?? 0) > 0) break;
      const parent = path[i - 1] as Node<T>;
      parent.children?.delete(levels[i - 1] as string);
      if (parent.children?.size === 0) parent.children = null;
    }
    return true;
  }

  /** The messages whose topics `filter` matches, each once. */
  *match(filter: string): Generator<T> {
    const levels = filter.split(SEPARATOR);
    // Iterative walk: [node, index of the filter level to match against its children].
    const stack: [Node<T>, number][] = [[this.#root, 0]];
    while (stack.length > 0) {
      const [node, i] = stack.pop() as [Node<T>, number];
      if (i === levels.length) {
        if (node.value !== undefined) yield node.value;
        continue;
      }
      const level = levels[i] as string;
      if (level === SOME) {
        // `a/#` also matches `a` itself (the root holds no message: a topic has at least one level).
        if (node.value !== undefined) yield node.value;
        yield* this.#below(node, i === 0);
      } else if (level === ONE) {
        for (const [name, child] of node.children ?? [])
          if (i > 0 || !isSystem(name)) stack.push([child, i + 1]);
      } else {
        const child = node.children?.get(level);
        if (child) stack.push([child, i + 1]);
      }
    }
  }

  /** Every message under `node` (not its own); `skipSystem` leaves out `$` children of the root. */
  *#below(node: Node<T>, skipSystem: boolean): Generator<T> {
    const stack: Node<T>[] = [];
    for (const [name, child] of node.children ?? []) if (!skipSystem || !isSystem(name)) stack.push(child);
    while (stack.length > 0) {
      const next = stack.pop() as Node<T>;
      if (next.value !== undefined) yield next.value;
      if (next.children) for (const child of next.children.values()) stack.push(child);
    }
  }
}

const isSystem = (level: string): boolean => level.charCodeAt(0) === 36; // '$'
