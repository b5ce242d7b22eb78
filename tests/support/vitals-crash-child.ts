/**
 * A whole system in a child process that hands ingest one batch of vitals readings and, with
 * KILL_AT_INSERT=n, kills itself with SIGKILL just before the n-th reading's row is written: a crash in
 * the middle of a batch's transaction (tests/vitals-group-commit.test.ts). Prints `stored` when done.
 */
import pino from 'pino';
import type { SqlSession } from '../../cloud/db/sql.ts';
import { topics } from '../../protocol/index.ts';
import { startSystem } from '../../system/app.ts';
import { loadConfig } from '../../system/config.ts';

const env = process.env;
const readings = Number(env.READINGS ?? 500);
const killAt = Number(env.KILL_AT_INSERT ?? 0);
const system = await startSystem(
  loadConfig({
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    SIM_HOMES: '0',
    DATA_DIR: env.DATA_DIR ?? '',
    ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
  }),
  pino({ level: 'silent' }),
);
const { store, ingest } = system.cloud;
let inserts = 0;
const watched = (tx: SqlSession): SqlSession => ({
  ...tx,
  all: tx.all.bind(tx),
  get: tx.get.bind(tx),
  exec: tx.exec.bind(tx),
  run: (sql, params) => {
    if (/^\s*INSERT INTO vitals \(/.test(sql) && ++inserts === killAt) process.kill(process.pid, 'SIGKILL');
    return tx.run(sql, params);
  },
});
const transaction = store.transaction.bind(store);
store.transaction = (fn) => transaction((tx) => fn(watched(tx)));

const topic = topics.deviceVitals(env.GATEWAY ?? '', env.DEVICE ?? '');
const ts = new Date().toISOString();
await Promise.all(
  Array.from({ length: readings }, (_, i) =>
    ingest.handle(
      topic,
      Buffer.from(JSON.stringify({ id: `crash-${String(i).padStart(4, '0')}`, ts, hr: 60 + (i % 40) })),
    ),
  ),
);
process.stdout.write('stored\n');
await system.close();
process.exit(0);
