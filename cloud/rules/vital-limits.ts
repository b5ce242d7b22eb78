import type { Severity } from '../../protocol/index.ts';

export const VITALS = ['hr', 'spo2', 'rr', 'temp', 'sys', 'dia'] as const;
export type Vital = (typeof VITALS)[number];
export type Direction = 'high' | 'low';

/** A pair of edges; null means the vital has no edge on that side. */
export interface Bounds {
  low: number | null;
  high: number | null;
}

/**
 * One vital's limits. Out of range is strict (`hr > 130`, so 130 is fine and 131 is not); the severity
 * edges are inclusive (`hr ≥ 150` is high). Back in range needs `hysteresis` inside the limit
 * (`hr ≤ 125` after a high alert), so a value hovering at the limit cannot flap the alert.
 */
export interface VitalLimits extends Bounds {
  hysteresis: number;
  /** At or beyond these an out-of-range reading is `high` severity; otherwise `medium`. */
  severe: Bounds;
  /** At or beyond these it is `critical`. */
  critical: Bounds;
}

/**
 * Defaults for older adults at home, loosely after NEWS2 and common remote-monitoring practice:
 *
 * | vital        | medium (out of range) | high           | critical       | hysteresis |
 * |--------------|-----------------------|----------------|----------------|------------|
 * | hr bpm       | < 40 or > 130         | ≤ 35 or ≥ 150  | ≤ 30 or ≥ 180  | 5          |
 * | spo2 %       | < 90                  | ≤ 85           | ≤ 80           | 2          |
 * | rr /min      | < 8 or > 30           | ≤ 6 or ≥ 35    | ≤ 4 or ≥ 40    | 2          |
 * | temp °C      | < 35 or > 38.5        | ≤ 34 or ≥ 39.5 | ≤ 32 or ≥ 40.5 | 0.3        |
 * | sys mmHg     | < 90 or > 180         | ≤ 80 or ≥ 200  | ≤ 70 or ≥ 220  | 10         |
 * | dia mmHg     | > 110                 | ≥ 120          | ≥ 130          | 5          |
 */
export const VITAL_LIMITS: Readonly<Record<Vital, VitalLimits>> = {
  hr: { low: 40, high: 130, hysteresis: 5, severe: { low: 35, high: 150 }, critical: { low: 30, high: 180 } },
  spo2: {
    low: 90,
    high: null,
    hysteresis: 2,
    severe: { low: 85, high: null },
    critical: { low: 80, high: null },
  },
  rr: { low: 8, high: 30, hysteresis: 2, severe: { low: 6, high: 35 }, critical: { low: 4, high: 40 } },
  temp: {
    low: 35,
    high: 38.5,
    hysteresis: 0.3,
    severe: { low: 34, high: 39.5 },
    critical: { low: 32, high: 40.5 },
  },
  sys: {
    low: 90,
    high: 180,
    hysteresis: 10,
    severe: { low: 80, high: 200 },
    critical: { low: 70, high: 220 },
  },
  dia: {
    low: null,
    high: 110,
    hysteresis: 5,
    severe: { low: null, high: 120 },
    critical: { low: null, high: 130 },
  },
};

export interface Breach {
  direction: Direction;
  threshold: number;
}

export function breachOf(value: number, limits: Bounds): Breach | null {
  if (limits.high !== null && value > limits.high) return { direction: 'high', threshold: limits.high };
  if (limits.low !== null && value < limits.low) return { direction: 'low', threshold: limits.low };
  return null;
}

function reaches(value: number, direction: Direction, edges: Bounds): boolean {
  const edge = edges[direction];
  if (edge === null) return false;
  return direction === 'high' ? value >= edge : value <= edge;
}

export function severityOf(value: number, direction: Direction, limits: VitalLimits): Severity {
  if (reaches(value, direction, limits.critical)) return 'critical';
  if (reaches(value, direction, limits.severe)) return 'high';
  return 'medium';
}

/** Whether a value is back inside the limit it broke by at least the hysteresis. */
export function isBackInside(value: number, breach: Breach, hysteresis: number): boolean {
  return breach.direction === 'high'
    ? value <= breach.threshold - hysteresis
    : value >= breach.threshold + hysteresis;
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function isWorse(a: Severity, than: Severity): boolean {
  return RANK[a] > RANK[than];
}
