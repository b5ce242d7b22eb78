import type { DeviceState, GatewayState } from '../../protocol/index.ts';
import type { SqlSession } from '../db/sql.ts';

/** Latest gateway and device states and the device events of a home. */
export class StatusStore {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  /**
   * The newest message received wins, whatever its `ts`: a will is composed when its gateway connects,
   * so its `ts` is always older than the birth it follows, and a `ts` guard would never let a dead
   * gateway show as offline. One subscription delivers a topic in order, and a retained replay is the
   * broker's latest.
   */
  async gatewayState(gatewayId: string, s: GatewayState, at: string): Promise<void> {
    await this.#db.run(
      `INSERT INTO gateway_status (gateway_id, state, ts, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (gateway_id) DO UPDATE SET state = excluded.state, ts = excluded.ts, updated_at = excluded.updated_at`,
      [gatewayId, s.state, s.ts, at],
    );
  }

  async deviceState(gatewayId: string, deviceId: string, s: DeviceState, at: string): Promise<void> {
    await this.#db.run(
      `INSERT INTO device_status (gateway_id, device_id, online, battery, rssi, ts, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (gateway_id, device_id) DO UPDATE SET online = excluded.online, battery = excluded.battery,
         rssi = excluded.rssi, ts = excluded.ts, updated_at = excluded.updated_at
       WHERE excluded.ts >= device_status.ts`,
      [gatewayId, deviceId, s.online ? 1 : 0, s.battery ?? null, s.rssi ?? null, s.ts, at],
    );
  }

  /** The latest device events of a household's gateways, newest first. */
  async eventsOfHousehold(
    householdId: string,
    limit: number,
  ): Promise<
    { gatewayId: string; deviceId: string; id: string; type: string; ts: string; receivedAt: string }[]
  > {
    const rows = await this.#db.all(
      `SELECT e.gateway_id, e.device_id, e.event_id, e.type, e.ts, e.received_at FROM events e
       JOIN gateways g ON g.id = e.gateway_id WHERE g.household_id = $1 ORDER BY e.ts DESC LIMIT $2`,
      [householdId, limit],
    );
    return rows.map((r) => ({
      gatewayId: String(r.gateway_id),
      deviceId: String(r.device_id),
      id: String(r.event_id),
      type: String(r.type),
      ts: String(r.ts),
      receivedAt: String(r.received_at),
    }));
  }
}
