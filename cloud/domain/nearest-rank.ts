/** Nearest-rank percentile of an ascending list: the value at rank ⌈p·n⌉; null for an empty list. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? null;
}
