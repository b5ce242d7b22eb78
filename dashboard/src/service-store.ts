import type { ServiceTicket } from '../../protocol/services.ts';

const STATE_RANK = { requested: 0, accepted: 1, done: 2, cancelled: 2 } as const;
/** Closed tickets stay on the helpers' screen this long (so the time taken can be seen), then drop off. */
export const KEEP_CLOSED_MS = 12 * 3600_000;

/**
 * The service tickets the helpers' screen shows, merged from socket pushes, action answers and REST
 * re-syncs; a ticket's state only moves forward. Separate from the alert queue: no alarm listens here.
 */
export class ServiceQueue {
  readonly #tickets = new Map<string, ServiceTicket>();
  readonly #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Waiting first (longest waiting first), then closed ones (newest first). */
  sorted(now = Date.now()): ServiceTicket[] {
    const open = (t: ServiceTicket) => t.state === 'requested' || t.state === 'accepted';
    const closedAt = (t: ServiceTicket) => Date.parse(t.doneAt ?? t.cancelledAt ?? t.requestedAt);
    return [...this.#tickets.values()]
      .filter((t) => open(t) || now - closedAt(t) < KEEP_CLOSED_MS)
      .sort((a, b) =>
        open(a) !== open(b)
          ? open(a)
            ? -1
            : 1
          : open(a)
            ? Date.parse(a.requestedAt) - Date.parse(b.requestedAt)
            : closedAt(b) - closedAt(a),
      );
  }

  waiting(): number {
    return [...this.#tickets.values()].filter((t) => t.state === 'requested').length;
  }

  apply(ticket: ServiceTicket): void {
    if (this.#merge(ticket)) this.#emit();
  }

  /** A REST snapshot: every ticket it lists is merged (a state never moves back). */
  load(tickets: readonly ServiceTicket[]): void {
    let changed = false;
    for (const t of tickets) changed = this.#merge(t) || changed;
    if (changed) this.#emit();
  }

  #merge(ticket: ServiceTicket): boolean {
    const old = this.#tickets.get(ticket.id);
    if (old && STATE_RANK[old.state] > STATE_RANK[ticket.state]) return false;
    if (old && JSON.stringify(old) === JSON.stringify(ticket)) return false;
    this.#tickets.set(ticket.id, ticket);
    return true;
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
