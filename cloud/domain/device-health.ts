import { Params, type Row, type SqlSession } from '../db/sql.ts';
import { regionSubtreeSql } from './region-sql.ts';

/**
 * The device-health page: every gateway and device of a region with its latest state.
 *
 * - offline: a gateway whose last state is `offline` or that never reported; a device whose last state
 *   says `online: false` or that never reported. A device keeps its own last state while its gateway
 *   is offline: the gateway row already says the home is cut off.
 * - low_battery: a last reported battery at or below `LOW_BATTERY_PERCENT`.
 * - Rows with a problem come first; then by gateway, the gateway before its devices, then device id.
 */
export const DEVICE_PROBLEMS = ['all', 'offline', 'low_battery'] as const;
export type DeviceProblem = (typeof DEVICE_PROBLEMS)[number];
export const LOW_BATTERY_PERCENT = 20;

export interface DeviceHealthRow {
  gatewayId: string;
  /** Null for the gateway's own row. */
  deviceId: string | null;
  /** The device kind, or `gateway`. */
  kind: string;
  householdId: string;
  address: string;
  region: string;
  elderName?: string;
  online: boolean | null;
  battery?: number;
  lastSeenAt: string | null;
}

const isOffline = (row: DeviceHealthRow): boolean => row.online !== true;
const isLowBattery = (row: DeviceHealthRow): boolean =>
  row.battery !== undefined && row.battery <= LOW_BATTERY_PERCENT;
const hasProblem = (row: DeviceHealthRow): boolean => isOffline(row) || isLowBattery(row);

function place(r: Row) {
  return { householdId: String(r.household_id), address: String(r.address), region: String(r.region) };
}

function gatewayRow(r: Row): DeviceHealthRow {
  return {
    gatewayId: String(r.gateway_id),
    deviceId: null,
    kind: 'gateway',
    ...place(r),
    online: r.state === 'online' ? true : r.state === 'offline' ? false : null,
    lastSeenAt: r.updated_at == null ? null : String(r.updated_at),
  };
}

function deviceRow(r: Row): DeviceHealthRow {
  return {
    gatewayId: String(r.gateway_id),
    deviceId: String(r.device_id),
    kind: String(r.kind),
    ...place(r),
    ...(r.elder_name != null ? { elderName: String(r.elder_name) } : {}),
    online: r.online == null ? null : r.online === 1,
    ...(r.battery != null ? { battery: Number(r.battery) } : {}),
    lastSeenAt: r.updated_at == null ? null : String(r.updated_at),
  };
}

function byProblemThenPlace(a: DeviceHealthRow, b: DeviceHealthRow): number {
  return (
    Number(hasProblem(b)) - Number(hasProblem(a)) ||
    a.gatewayId.localeCompare(b.gatewayId) ||
    (a.deviceId === null ? -1 : b.deviceId === null ? 1 : a.deviceId.localeCompare(b.deviceId))
  );
}

/** The rows of `region`'s subtree, filtered by `problem`; revoked gateways are left out. */
export async function deviceHealth(
  db: SqlSession,
  q: { region: string; problem: DeviceProblem },
): Promise<DeviceHealthRow[]> {
  const p = new Params();
  const subtree = regionSubtreeSql('h.region', q.region, p);
  const gateways = (
    await db.all(
      `SELECT g.id AS gateway_id, g.household_id, h.address, h.region, s.state, s.updated_at
       FROM gateways g JOIN households h ON h.id = g.household_id
       LEFT JOIN gateway_status s ON s.gateway_id = g.id
       WHERE g.revoked_at IS NULL AND ${subtree}`,
      p.values,
    )
  ).map(gatewayRow);
  const devices = (
    await db.all(
      `SELECT d.gateway_id, d.id AS device_id, d.kind, g.household_id, h.address, h.region,
         e.name AS elder_name, s.online, s.battery, s.updated_at
       FROM devices d JOIN gateways g ON g.id = d.gateway_id JOIN households h ON h.id = g.household_id
       LEFT JOIN elders e ON e.id = d.elder_id
       LEFT JOIN device_status s ON s.gateway_id = d.gateway_id AND s.device_id = d.id
       WHERE g.revoked_at IS NULL AND ${subtree}`,
      p.values,
    )
  ).map(deviceRow);
  const wanted = { all: () => true, offline: isOffline, low_battery: isLowBattery }[q.problem];
  return [...gateways, ...devices].filter(wanted).sort(byProblemThenPlace);
}
