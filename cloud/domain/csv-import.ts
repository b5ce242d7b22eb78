import { isId, regionWithin } from '../../protocol/index.ts';
import type { Sql } from '../db/sql.ts';
import type { CsvTable } from './csv.ts';
import type { Registry } from './registry.ts';

export const IMPORT_COLUMNS = ['householdId', 'region', 'address', 'elderId', 'elderName'] as const;
const OPTIONAL = ['livesAlone', 'phone', 'birthYear'] as const;

export interface RowReport {
  line: number;
  householdId: string;
  elderId: string;
  /** Empty when the row is fine. */
  errors: string[];
}

export interface ImportReport {
  imported: boolean;
  households: number;
  elders: number;
  rows: RowReport[];
}

const YES = new Set(['yes', 'true', '1', '是', 'y']);
const NO = new Set(['no', 'false', '0', '否', 'n', '']);

/**
 * Households and elders from an installer's CSV, all or nothing: every row is checked first (ids,
 * community in the importer's scope, no duplicate elder, one address per household); a single refused
 * row imports nothing, and the report says per row what was refused and why. Checks and writes run in
 * one transaction, so what was checked is what is written.
 */
export async function importHouseholds(
  sql: Sql,
  registry: Registry,
  table: CsvTable,
  scope: string,
): Promise<ImportReport> {
  const missing = IMPORT_COLUMNS.filter((c) => !table.header.includes(c));
  if (missing.length > 0)
    return {
      imported: false,
      households: 0,
      elders: 0,
      rows: [{ line: 1, householdId: '', elderId: '', errors: [`missing columns: ${missing.join(', ')}`] }],
    };
  const col = (cells: string[], name: string): string => (cells[table.header.indexOf(name)] ?? '').trim();
  return sql.transaction(async (tx): Promise<ImportReport> => {
    const inTx = registry.in(tx);
    const households = new Map<string, { region: string; address: string }>();
    const elders = new Set<string>();
    const rows: (RowReport & { r: Record<string, string> })[] = [];
    for (const { line, cells } of table.rows) {
      const r = Object.fromEntries([...IMPORT_COLUMNS, ...OPTIONAL].map((c) => [c, col(cells, c)])) as Record<
        string,
        string
      >;
      const errors = await checkRow(r, inTx, scope, households, elders);
      rows.push({ line, householdId: r.householdId ?? '', elderId: r.elderId ?? '', errors, r });
    }
    const report = rows.map(({ r: _r, ...rest }) => rest);
    if (rows.length === 0 || rows.some((row) => row.errors.length > 0))
      return { imported: false, households: 0, elders: 0, rows: report };
    let newHouseholds = 0;
    for (const { r } of rows) {
      if (!(await inTx.getHousehold(r.householdId as string))) {
        await inTx.insertHousehold({
          id: r.householdId as string,
          region: r.region as string,
          address: r.address as string,
        });
        newHouseholds += 1;
      }
      const profile: Record<string, unknown> = { livesAlone: YES.has((r.livesAlone ?? '').toLowerCase()) };
      if (r.phone) profile.phone = r.phone;
      if (r.birthYear) profile.birthYear = Number(r.birthYear);
      await inTx.insertElder({
        id: r.elderId as string,
        householdId: r.householdId as string,
        name: r.elderName as string,
        profile,
      });
    }
    return { imported: true, households: newHouseholds, elders: rows.length, rows: report };
  });
}

async function checkRow(
  r: Record<string, string>,
  registry: Registry,
  scope: string,
  households: Map<string, { region: string; address: string }>,
  elders: Set<string>,
): Promise<string[]> {
  const errors: string[] = [];
  const {
    householdId = '',
    region = '',
    address = '',
    elderId = '',
    elderName = '',
    livesAlone = '',
    birthYear = '',
  } = r;
  if (!isId(householdId)) errors.push('householdId: 1 to 64 of A-Z a-z 0-9 _ -');
  if (!isId(elderId)) errors.push('elderId: 1 to 64 of A-Z a-z 0-9 _ -');
  if (!elderName || elderName.length > 200) errors.push('elderName: required, at most 200 characters');
  if (!address || address.length > 500) errors.push('address: required, at most 500 characters');
  if ((await registry.regionLevel(region)) !== 'community')
    errors.push(`region: ${region || '(empty)'} is not a community`);
  else if (!regionWithin(region, scope)) errors.push('region: outside your scope');
  if (!YES.has(livesAlone.toLowerCase()) && !NO.has(livesAlone.toLowerCase()))
    errors.push('livesAlone: yes or no');
  if (birthYear && !/^(19|20)\d\d$/.test(birthYear)) errors.push('birthYear: a year like 1946');
  if (elders.has(elderId) || (await registry.getElder(elderId)))
    errors.push(`elderId: ${elderId} exists already`);
  elders.add(elderId);
  const existing = await registry.getHousehold(householdId);
  const seen =
    households.get(householdId) ??
    (existing ? { region: existing.region, address: existing.address } : undefined);
  if (seen && (seen.region !== region || seen.address !== address))
    errors.push(`householdId: ${householdId} has another region or address`);
  if (!seen) households.set(householdId, { region, address });
  return errors;
}
