import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisService, startRedis } from '../tests/support/services.ts';
import { eventually } from '../tests/support/system.ts';
import { type ClusterWiring, clusterNotices, joinCluster } from './cluster.ts';
import { onAccessChange } from './notices.ts';

/** A logger whose lines are kept, to see what was warned. */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

const entry = (eventId: string) => ({
  gatewayId: 'gw-0001',
  eventId,
  topic: 'eldercare/v1/gw-0001/devices/sos-1/event',
  payload: Buffer.from('{}'),
});

describe('a broker cluster when Redis dies', () => {
  let redis: RedisService | null = null;
  const wirings: ClusterWiring[] = [];

  afterEach(async () => {
    for (const w of wirings.splice(0)) {
      const mq = w.mq as unknown as { close(cb: () => void): void };
      await new Promise<void>((resolve) => mq.close(() => resolve()));
      await w.close();
    }
    await redis?.stop();
    redis = null;
  });

  it('a Redis killed -9 is logged, not fatal: the journal refuses events meanwhile, and once Redis is back the emitter carries notices between brokers again', async () => {
    redis = await startRedis();
    const { logger, lines } = capturingLogger();
    const a = await joinCluster({ redisUrl: redis.url, brokerId: 'a', logger });
    const b = await joinCluster({ redisUrl: redis.url, brokerId: 'b', logger });
    wirings.push(a, b);
    const notices = clusterNotices(redis.url, logger);
    const heard: string[] = [];
    onAccessChange(b.mq, (gatewayId) => heard.push(gatewayId));

    await redis.service.kill('SIGKILL');
    // Before the fix, the emitter's first refused reconnect threw an unhandled 'error' and ended the process.
    await eventually(() => lines.some((l) => l.includes('redis error (emitter)')), 10_000);
    await expect(a.journal.append(entry('evt-while-down'), new Date())).rejects.toThrow();

    await redis.service.restart();
    await eventually(
      () =>
        a.journal.append(entry('evt-after-return'), new Date()).then(
          () => true,
          () => false,
        ),
      20_000,
    );
    expect((await b.journal.pending()).map((e) => e.eventId)).toEqual(['evt-after-return']);
    await eventually(async () => {
      notices.announce('gw-0042');
      await new Promise((r) => setTimeout(r, 200));
      return heard.includes('gw-0042');
    }, 20_000);
    await notices.close();
  }, 60_000);
});
