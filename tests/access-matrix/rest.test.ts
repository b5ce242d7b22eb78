import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from '../support/system.ts';
import { ACCOUNT_ROWS } from './account.ts';
import { ADMIN_ROWS } from './admin.ts';
import { ALERT_ROWS } from './alerts.ts';
import { REGISTRY_ROWS } from './registry.ts';
import { REPORT_ROWS } from './reports.ts';
import { SERVICE_ROWS } from './services.ts';
import { checkRow, type Fixture, type Row, rowTitle, setUp } from './support.ts';

/**
 * The access matrix: every role × every REST route × a target in scope and one out of scope, with the
 * expected answer of each cell written in the row (see support.ts for the columns and the two sides).
 * Socket.IO `/dispatch` has its own table in sockets.test.ts; the Node-RED editor (`/flows`, only with
 * NODE_RED=1) is checked per role in tests/node-red-embedded.test.ts, to start Node-RED only once.
 */
const AREAS: [string, Row[]][] = [
  ['alerts and family actions', ALERT_ROWS],
  ['service requests of the green key', SERVICE_ROWS],
  ['elders, homes, visits and rule settings', REGISTRY_ROWS],
  ['reports, regions and the audit log', REPORT_ROWS],
  ['provisioning, gateway access, import and the simulator', ADMIN_ROWS],
  ['public routes, sessions and one’s own settings', ACCOUNT_ROWS],
];
const ALL_ROWS = AREAS.flatMap(([, rows]) => rows);

/** Routes the matrix answers for: the API, metrics, and the flow editor when it is mounted as routes. */
const GUARDED = /^\/(api|metrics|flows)(\/|$)/;

describe('the access matrix: role × REST route × scope', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setUp(await TestSystem.start());
  });
  afterAll(async () => {
    await fx?.sys.stop();
  });

  for (const [area, rows] of AREAS)
    describe(area, () => {
      for (const row of rows) it(rowTitle(row), () => checkRow(row, fx));
    });

  it('every API route the cloud registers has a row in the matrix, and every row names a real route', () => {
    const registered = new Set(
      fx.sys.system.cloud.routes
        .filter((r) => r.method !== 'HEAD' && GUARDED.test(r.url))
        .map((r) => `${r.method} ${r.url}`),
    );
    const covered = new Set(ALL_ROWS.map((r) => `${r.method} ${r.route}`));
    expect(
      [...registered].filter((r) => !covered.has(r)),
      'routes without a matrix row',
    ).toEqual([]);
    expect(
      [...covered].filter((r) => !registered.has(r)),
      'rows for routes that do not exist',
    ).toEqual([]);
  });
});
