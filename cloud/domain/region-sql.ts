import type { Params } from '../db/sql.ts';

/**
 * The SQL filter for a region subtree, its one parameter added to `p`; never LIKE, because ids may
 * contain `_`. The cast tells PostgreSQL the parameter's type where `length` alone would not.
 */
export function regionSubtreeSql(column: string, region: string, p: Params): string {
  const r = p.add(region);
  return `(${column} = ${r} OR substr(${column}, 1, length(CAST(${r} AS TEXT)) + 1) = CAST(${r} AS TEXT) || '.')`;
}

/** A figure's scope over a table with `region` and `elder_id`: a region subtree (null: all), some elders. */
export interface RegionScope {
  region: string | null;
  elderIds?: readonly string[] | undefined;
}

/** The SQL filter of `scope`, its parameters added to `p`; `1 = 1` when it covers everything. */
export function scopeSql(scope: RegionScope, p: Params): string {
  const where: string[] = ['1 = 1'];
  if (scope.region !== null) where.push(regionSubtreeSql('region', scope.region, p));
  if (scope.elderIds) where.push(`elder_id IN ${p.list(scope.elderIds)}`);
  return where.join(' AND ');
}
