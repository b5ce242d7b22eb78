import { regionAncestors, SEVERITIES, type Severity } from '../../protocol/index.ts';
import { Params, type SqlSession } from '../db/sql.ts';
import { regionSubtreeSql } from './region-sql.ts';
import type { RegionRow } from './registry.ts';

/** A region with the alerts waiting inside it, counted over its whole subtree. */
export interface RegionNode extends RegionRow {
  /** Alerts in state `open`, by severity. */
  open: Record<Severity, number>;
  acknowledged: number;
  openTotal: number;
}

const noneOpen = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0 });

/**
 * `scope` and every region below it, depth first (a parent before its children, siblings by id),
 * with open and acknowledged alerts rolled up: a district counts its communities' alerts.
 */
export async function regionTree(db: SqlSession, scope: string): Promise<RegionNode[]> {
  const p = new Params();
  const regions = regionSubtreeSql('id', scope, p);
  const nodes = new Map<string, RegionNode>();
  for (const r of await db.all(
    `SELECT id, name, level, parent FROM regions WHERE ${regions} ORDER BY id`,
    p.values,
  )) {
    const id = String(r.id);
    nodes.set(id, {
      id,
      name: String(r.name),
      level: r.level as RegionRow['level'],
      parent: r.parent == null ? null : String(r.parent),
      open: noneOpen(),
      acknowledged: 0,
      openTotal: 0,
    });
  }
  const q = new Params();
  const alerts = regionSubtreeSql('region', scope, q);
  const counts = await db.all(
    `SELECT region, state, severity, count(*) AS n FROM alerts
     WHERE state IN ('open', 'acknowledged') AND ${alerts} GROUP BY region, state, severity`,
    q.values,
  );
  for (const c of counts) {
    const n = Number(c.n);
    // Ancestors above the scope are not in the map: the caller sees no further than their scope.
    for (const node of regionAncestors(String(c.region)).flatMap((id) => nodes.get(id) ?? [])) {
      if (c.state === 'acknowledged') node.acknowledged += n;
      else if ((SEVERITIES as readonly unknown[]).includes(c.severity)) {
        node.open[c.severity as Severity] += n;
        node.openTotal += n;
      }
    }
  }
  return depthFirst([...nodes.values()], scope);
}

function depthFirst(nodes: RegionNode[], root: string): RegionNode[] {
  const children = new Map<string | null, RegionNode[]>();
  for (const n of nodes) children.set(n.parent, [...(children.get(n.parent) ?? []), n]);
  const out: RegionNode[] = [];
  const visit = (node: RegionNode): void => {
    out.push(node);
    for (const child of children.get(node.id) ?? []) visit(child);
  };
  const top = nodes.find((n) => n.id === root);
  if (top) visit(top);
  return out;
}
