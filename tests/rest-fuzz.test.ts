import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from './support/system.ts';

/** Every route that takes a body from outside, with a plausible path. */
const ROUTES: [method: 'POST' | 'PUT', url: string][] = [
  ['POST', '/api/session'],
  ['POST', '/api/households'],
  ['POST', '/api/elders'],
  ['POST', '/api/gateways'],
  ['POST', '/api/alerts/00000000-0000-0000-0000-000000000000/ack'],
  ['POST', '/api/alerts/00000000-0000-0000-0000-000000000000/resolve'],
  ['POST', '/api/alerts/00000000-0000-0000-0000-000000000000/notes'],
  ['POST', '/api/alerts/00000000-0000-0000-0000-000000000000/milestones'],
  ['POST', '/api/elders/el-0001/visits'],
  ['PUT', '/api/elders/el-0001/rules/vitals'],
];

/** Bodies that look almost right: the real field names with arbitrary values, plus arbitrary JSON. */
const FIELDS = [
  'id',
  'region',
  'address',
  'householdId',
  'name',
  'devices',
  'kind',
  'elderId',
  'username',
  'password',
  'note',
  'outcome',
  'milestone',
  'etaMinutes',
  'visitedAt',
  'visitor',
  'hr',
  'forS',
  'severities',
];
const nearlyRight = fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
const body = fc.oneof(
  nearlyRight.map((v) => JSON.stringify(v)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
);

describe('REST bodies from outside never hurt', () => {
  let sys: TestSystem;
  let token: string;
  beforeAll(async () => {
    sys = await TestSystem.start();
    token = await sys.login('admin');
  });
  afterAll(async () => {
    await sys.stop();
  });

  it.each(ROUTES)(
    '%s %s answers random bodies with a clear 4xx (or success), never a 500',
    async (method, url) => {
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const res = await sys.system.cloud.app.inject({
            method,
            url,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            payload,
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode >= 400) expect(JSON.parse(res.body)).toHaveProperty('message');
        }),
        { numRuns: 300 },
      );
    },
  );
});
