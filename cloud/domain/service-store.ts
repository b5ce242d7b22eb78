import { randomUUID } from 'node:crypto';
import type { ServiceKind, ServiceState, ServiceTicket } from '../../protocol/index.ts';
import { greatest, Params, presentText, type Row, type SqlSession } from '../db/sql.ts';
import { regionSubtreeSql } from './region-sql.ts';
import type { User } from './scope.ts';

/** What a new ticket is made of: where the request came from, which kind, and when. */
export type NewTicket = Pick<
  ServiceTicket,
  | 'service'
  | 'elderId'
  | 'householdId'
  | 'region'
  | 'gatewayId'
  | 'deviceId'
  | 'eventId'
  | 'requestedAt'
  | 'receivedAt'
>;

const SELECT = `
  SELECT t.*, e.name AS elder_name, h.address AS address
  FROM service_tickets t LEFT JOIN elders e ON e.id = t.elder_id LEFT JOIN households h ON h.id = t.household_id`;

/** While a ticket waits or is being done, a repeat press of its kind by the same elder joins it. */
const openKeyOf = (t: Pick<NewTicket, 'elderId' | 'householdId' | 'service'>): string =>
  `${t.elderId || `household:${t.householdId}`}:${t.service}`;

function toTicket(row: Row): ServiceTicket {
  const ticket: ServiceTicket = {
    id: String(row.id),
    service: row.service as ServiceKind,
    state: row.state as ServiceState,
    elderId: String(row.elder_id),
    householdId: String(row.household_id),
    region: String(row.region),
    gatewayId: String(row.gateway_id),
    deviceId: String(row.device_id),
    eventId: String(row.event_id),
    requestedAt: String(row.requested_at),
    receivedAt: String(row.received_at),
    repeatCount: Number(row.repeat_count),
    lastRequestedAt: String(row.last_requested_at),
  };
  Object.assign(
    ticket,
    presentText({
      acceptedAt: row.accepted_at,
      acceptedBy: row.accepted_by,
      doneAt: row.done_at,
      doneBy: row.done_by,
      cancelledAt: row.cancelled_at,
      cancelledBy: row.cancelled_by,
      note: row.note,
      elderName: row.elder_name,
      address: row.address,
    }),
  );
  if (ticket.doneAt !== undefined)
    ticket.tookS = Math.max(0, Date.parse(ticket.doneAt) - Date.parse(ticket.requestedAt)) / 1000;
  return ticket;
}

/** Persistence of service tickets. Callers own transactions: inside one, use `in(tx)`. */
export class ServiceTicketStore {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  in(tx: SqlSession): ServiceTicketStore {
    return new ServiceTicketStore(tx);
  }

  /**
   * A new ticket, or, when the elder already has one of this kind waiting or accepted, a repeat on it.
   * Answers the ticket and whether it is new; null when this event already made a ticket.
   */
  async request(t: NewTicket): Promise<{ ticket: ServiceTicket; created: boolean } | null> {
    const id = randomUUID();
    const openKey = openKeyOf(t);
    const inserted = await this.#db.run(
      `INSERT INTO service_tickets (id, service, state, elder_id, household_id, region, gateway_id, device_id,
         event_id, requested_at, received_at, last_requested_at, open_key)
       VALUES ($1, $2, 'requested', $3, $4, $5, $6, $7, $8, $9, $10, $9, $11) ON CONFLICT DO NOTHING`,
      [
        id,
        t.service,
        t.elderId,
        t.householdId,
        t.region,
        t.gatewayId,
        t.deviceId,
        t.eventId,
        t.requestedAt,
        t.receivedAt,
        openKey,
      ],
    );
    if (inserted.changes === 1) return { ticket: (await this.get(id)) as ServiceTicket, created: true };
    const same = await this.#db.get(
      'SELECT id FROM service_tickets WHERE gateway_id = $1 AND event_id = $2',
      [t.gatewayId, t.eventId],
    );
    if (same) return null;
    const open = await this.#db.get('SELECT id FROM service_tickets WHERE open_key = $1', [openKey]);
    if (!open) return null;
    await this.#db.run(
      `UPDATE service_tickets SET repeat_count = repeat_count + 1,
         last_requested_at = ${greatest(this.#db.dialect, 'last_requested_at', 'CAST($1 AS TEXT)')} WHERE id = $2`,
      [t.requestedAt, String(open.id)],
    );
    return { ticket: (await this.get(String(open.id))) as ServiceTicket, created: false };
  }

  async get(id: string): Promise<ServiceTicket | null> {
    const row = await this.#db.get(`${SELECT} WHERE t.id = $1`, [id]);
    return row ? toTicket(row) : null;
  }

  /** requested → accepted; answers whether it changed. */
  async accept(id: string, by: string, at: string): Promise<boolean> {
    const r = await this.#db.run(
      "UPDATE service_tickets SET state = 'accepted', accepted_at = $1, accepted_by = $2 WHERE id = $3 AND state = 'requested'",
      [at, by, id],
    );
    return r.changes === 1;
  }

  /** requested or accepted → done; finishing one nobody accepted counts its finisher as the acceptor too. */
  async finish(id: string, by: string, at: string, note: string | null): Promise<boolean> {
    const r = await this.#db.run(
      `UPDATE service_tickets SET state = 'done', done_at = $1, done_by = $2, note = $3, open_key = NULL,
         accepted_at = coalesce(accepted_at, $1), accepted_by = coalesce(accepted_by, $2)
       WHERE id = $4 AND state IN ('requested', 'accepted')`,
      [at, by, note, id],
    );
    return r.changes === 1;
  }

  async cancel(id: string, by: string, at: string, note: string | null): Promise<boolean> {
    const r = await this.#db.run(
      `UPDATE service_tickets SET state = 'cancelled', cancelled_at = $1, cancelled_by = $2, note = $3, open_key = NULL
       WHERE id = $4 AND state IN ('requested', 'accepted')`,
      [at, by, note, id],
    );
    return r.changes === 1;
  }

  /** Tickets the user may see, the longest waiting first, optionally in one state. */
  async listForUser(user: User, state?: ServiceState, limit = 1000): Promise<ServiceTicket[]> {
    const where: string[] = [];
    const p = new Params();
    if (state) where.push(`t.state = ${p.add(state)}`);
    if (user.role === 'family') where.push(`t.elder_id IN ${p.list(user.elderIds)}`);
    else where.push(regionSubtreeSql('t.region', user.scope, p));
    // Waiting ones oldest first (who has waited longest); closed ones newest first.
    const open = "t.state IN ('requested', 'accepted')";
    const order = `CASE WHEN ${open} THEN 0 ELSE 1 END, CASE WHEN ${open} THEN t.requested_at END, t.requested_at DESC`;
    const sql = `${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order}, t.id LIMIT ${p.add(limit)}`;
    return (await this.#db.all(sql, p.values)).map(toTicket);
  }
}
