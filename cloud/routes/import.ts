import type { FastifyPluginAsync } from 'fastify';
import type { Sql } from '../db/sql.ts';
import { CsvError, parseCsv } from '../domain/csv.ts';
import { importHouseholds } from '../domain/csv-import.ts';
import { currentUser, problem, type RouteDeps, requireUser } from './context.ts';

/** `POST /api/import/households` (text/csv, admins): households and elders in bulk, all or nothing. */
export const importRoutes: FastifyPluginAsync<RouteDeps & { sql: Sql }> = async (app, deps) => {
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );
  app.addHook('onRequest', requireUser(deps));
  app.post('/api/import/households', async (request, reply) => {
    const user = currentUser(request);
    if (user.role !== 'admin') return problem(reply, 403, 'ERR_FORBIDDEN', 'imports are for admins');
    if (typeof request.body !== 'string')
      return problem(reply, 415, 'ERR_CSV_EXPECTED', 'send the file as text/csv');
    let table: ReturnType<typeof parseCsv>;
    try {
      table = parseCsv(request.body);
    } catch (err) {
      if (err instanceof CsvError) return problem(reply, 400, 'ERR_BAD_CSV', err.message);
      throw err;
    }
    const report = await importHouseholds(deps.sql, deps.registry, table, user.scope);
    deps.logger.info(
      { by: user.username, imported: report.imported, rows: report.rows.length },
      'household import',
    );
    return reply.code(report.imported ? 201 : 422).send(report);
  });
};
