import { regionAncestors, regionWithin } from '../../protocol/ids.ts';
import type { AlertView, Severity } from './types.ts';

// Open and in-hand alerts per region, counted from the live queue, which holds exactly the caller's
// scope; no DOM here, so the counting is unit-tested in node.

export interface RegionCount {
  id: string;
  open: Record<Severity, number>;
  acknowledged: number;
  openTotal: number;
}

const zero = (id: string): RegionCount => ({
  id,
  open: { critical: 0, high: 0, medium: 0, low: 0 },
  acknowledged: 0,
  openTotal: 0,
});

function add(count: RegionCount, alert: AlertView): void {
  if (alert.state === 'acknowledged') count.acknowledged += 1;
  else {
    count.open[alert.severity] += 1;
    count.openTotal += 1;
  }
}

/** The child region of `parent` that holds `region` (`a.b` + `a.b.c.d` → `a.b.c`). */
export function childOf(parent: string, region: string): string | null {
  if (!regionWithin(region, parent) || region === parent) return null;
  const depth = parent.split('.').length;
  return region
    .split('.')
    .slice(0, depth + 1)
    .join('.');
}

/** Per child region of `parent` (a district's communities, the city's districts), zeros included. */
export function countByChild(
  parent: string,
  children: readonly string[],
  alerts: readonly AlertView[],
): RegionCount[] {
  const counts = new Map(children.map((id) => [id, zero(id)]));
  for (const alert of alerts) {
    const child = childOf(parent, alert.region);
    if (!child) continue;
    const count = counts.get(child) ?? zero(child);
    counts.set(child, count);
    add(count, alert);
  }
  return [...counts.values()];
}

/** For every region: each alert counts in its community and in every region above it. */
export function countByRegion(alerts: readonly AlertView[]): Map<string, RegionCount> {
  const counts = new Map<string, RegionCount>();
  for (const alert of alerts) {
    for (const region of regionAncestors(alert.region)) {
      const count = counts.get(region) ?? zero(region);
      counts.set(region, count);
      add(count, alert);
    }
  }
  return counts;
}
