import { type EventEnvelope, type ServiceTicket, serviceKindOf, timestamp } from '../../protocol/index.ts';
import type { Sql, SqlSession } from '../db/sql.ts';
import type { DeviceContext } from './registry.ts';
import { canHandleAlert, covers, type User } from './scope.ts';
import { ServiceTicketStore } from './service-store.ts';

export type ServiceChange = 'raised' | 'updated';
export type ServiceListener = (change: ServiceChange, ticket: ServiceTicket) => void;

export type ServiceActionResult =
  | { ok: true; ticket: ServiceTicket; changed: boolean }
  | { ok: false; code: 'not_found' | 'forbidden' | 'closed' };

/** A gateway clock ahead of ours by more than this is not trusted for the request time. */
const FUTURE_TOLERANCE_MS = 2 * 60_000;

/**
 * The helpers' desk: `service_request` events become service tickets (never alerts), and helpers
 * accept, finish or cancel them. Like alerts, every change is committed before listeners hear of it.
 */
export class ServiceDesk {
  readonly store: ServiceTicketStore;
  readonly #db: Sql;
  readonly #clock: () => number;
  readonly #listeners = new Set<ServiceListener>();

  constructor(db: Sql, options: { clock?: () => number } = {}) {
    this.#db = db;
    this.#clock = options.clock ?? Date.now;
    this.store = new ServiceTicketStore(db);
  }

  onChange(listener: ServiceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Inside the transaction that stored a new event: a `service_request` makes or joins a ticket.
   * Answers what to tell listeners once that transaction has committed (nothing for other events).
   */
  async inEvent(
    tx: SqlSession,
    ctx: DeviceContext,
    event: EventEnvelope,
    receivedAt: string,
  ): Promise<(() => void) | null> {
    if (event.type !== 'service_request') return null;
    const ahead = Date.parse(event.ts) - Date.parse(receivedAt) > FUTURE_TOLERANCE_MS;
    const result = await this.store.in(tx).request({
      service: serviceKindOf(event.data),
      elderId: ctx.elderId,
      householdId: ctx.householdId,
      region: ctx.region,
      gatewayId: ctx.gatewayId,
      deviceId: ctx.deviceId,
      eventId: event.id,
      requestedAt: ahead ? receivedAt : event.ts,
      receivedAt,
    });
    if (!result) return null;
    return () => this.#emit(result.created ? 'raised' : 'updated', result.ticket);
  }

  /** Accepting an accepted ticket changes nothing (the answer shows who was first). */
  accept(id: string, user: User): Promise<ServiceActionResult> {
    return this.#act(id, user, (store, at) => store.accept(id, user.username, at));
  }

  finish(id: string, user: User, note?: string): Promise<ServiceActionResult> {
    return this.#act(id, user, (store, at) => store.finish(id, user.username, at, note ?? null));
  }

  cancel(id: string, user: User, note?: string): Promise<ServiceActionResult> {
    return this.#act(id, user, (store, at) => store.cancel(id, user.username, at, note ?? null));
  }

  /**
   * One action in one transaction: outside the user's scope is `not_found` (as absent); in scope, only
   * those who may handle an alert of that elder (staff, not family) may act on the ticket.
   */
  async #act(
    id: string,
    user: User,
    change: (store: ServiceTicketStore, at: string) => Promise<boolean>,
  ): Promise<ServiceActionResult> {
    const result = await this.#db.transaction(async (tx): Promise<ServiceActionResult> => {
      const store = this.store.in(tx);
      const ticket = await store.get(id);
      if (!ticket || !covers(user, ticket)) return { ok: false, code: 'not_found' };
      if (!canHandleAlert(user, ticket)) return { ok: false, code: 'forbidden' };
      if (ticket.state === 'done' || ticket.state === 'cancelled') return { ok: false, code: 'closed' };
      const changed = await change(store, timestamp(this.#clock()));
      return { ok: true, ticket: changed ? ((await store.get(id)) as ServiceTicket) : ticket, changed };
    });
    if (result.ok && result.changed) this.#emit('updated', result.ticket);
    return result;
  }

  #emit(change: ServiceChange, ticket: ServiceTicket): void {
    for (const listener of this.#listeners) listener(change, ticket);
  }
}
