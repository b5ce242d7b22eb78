import { rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../cloud/notify/channels/index.ts';
import type { Alert } from '../protocol/index.ts';
import { eventually, TestSystem, tempDir } from './support/system.ts';

const SECRET = 'webhook-secret-for-the-sms-gateway';

interface Hook {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  verified: boolean;
}

/** A port that nothing listens on yet: the receiver is "down" until it starts there. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** An SMS gateway's webhook endpoint: checks the signature, records every request, answers 204. */
function receiver(hooks: Hook[]): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = (name: string) => req.headers[name] as string | undefined;
      const verified = verifyWebhookSignature(
        SECRET,
        header('x-eldercare-timestamp'),
        raw,
        header('x-eldercare-signature'),
      );
      hooks.push({ headers: req.headers, body: JSON.parse(raw.toString('utf8')), verified });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('family notification by signed webhook, through the real outbox and worker', () => {
  let sys: TestSystem;
  let server: Server | undefined;

  beforeAll(async () => {
    sys = await TestSystem.start(undefined, {}, { WEBHOOK_SECRET: SECRET });
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await sys.stop();
  });

  it('an SOS while the SMS gateway is down reaches it exactly once after it comes back, and the timeline says so', async () => {
    const port = await freePort();
    const outbox = sys.system.cloud.notifications;
    await outbox.setPrefs('family-el-0001', {
      push: false,
      severities: ['critical', 'high'],
      webhook: `http://127.0.0.1:${port}/sms`,
    });
    const operator = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    const sentAt = Date.now();
    const eventId = await home.event('sos');
    const alert = await eventually(() => operator.raised.find((a: Alert) => a.eventId === eventId), 2000);

    // Down: the worker keeps trying with growing pauses, and the row stays pending.
    const failing = await eventually(
      async () => (await outbox.ofAlert(alert.id)).find((n) => n.channel === 'webhook' && n.attempts >= 3),
      15_000,
      'three failed attempts',
    );
    expect(failing).toMatchObject({ recipient: 'family-el-0001', status: 'pending', deliveredAt: null });

    await sleep(Math.max(0, sentAt + 20_000 - Date.now()));
    const hooks: Hook[] = [];
    server = receiver(hooks);
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', () => resolve()));

    await eventually(() => hooks.length > 0, 30_000, 'the webhook to arrive');
    // A later beat must not send it again.
    await sleep(2000);
    expect(hooks).toHaveLength(1);
    const [hook] = hooks as [Hook];
    expect(hook.verified).toBe(true);
    expect(hook.headers['idempotency-key']).toBe(failing.id);
    expect(hook.body).toMatchObject({
      notificationId: failing.id,
      alertId: alert.id,
      reason: 'alert',
      type: 'sos',
      severity: 'critical',
      elderName: expect.any(String),
      link: `${sys.http}/family/#/alerts/${alert.id}`,
    });
    expect(hook.body).not.toHaveProperty('acceptToken');

    const row = (await outbox.ofAlert(alert.id)).find((n) => n.id === failing.id);
    expect(row?.status).toBe('delivered');
    expect(row?.attempts).toBeGreaterThan(failing.attempts);
    const token = await sys.login('op-shizishan');
    const { body: timeline } = await sys.api<{ action: string; actor: string; data?: unknown }[]>(
      token,
      'GET',
      `/api/alerts/${alert.id}/timeline`,
    );
    const notified = timeline.filter((e) => e.action === 'notified');
    expect(notified).toEqual([
      expect.objectContaining({
        actor: 'system',
        data: { recipient: 'family-el-0001', channel: 'webhook', reason: 'alert' },
      }),
    ]);
  }, 60_000);
});

describe('a webhook in flight when the system stops', () => {
  it('is neither recorded nor lost: after a restart it goes out again under the same Idempotency-Key', async () => {
    const dataDir = await tempDir();
    const held: { key: string; alertId: string; res: ServerResponse }[] = [];
    let answering = false;
    const slow = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { alertId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alertId: string };
        held.push({ key: String(req.headers['idempotency-key']), alertId, res });
        if (answering) res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
    const webhook = `http://127.0.0.1:${(slow.address() as { port: number }).port}/sms`;
    const env = { WEBHOOK_SECRET: SECRET };
    let sys = await TestSystem.start(dataDir, {}, env);
    try {
      await sys.system.cloud.notifications.setPrefs('family-el-0001', {
        push: false,
        severities: ['critical'],
        webhook,
      });
      await (await sys.home('gw-0001')).event('sos');
      await eventually(() => held.length === 1, 5000, 'the first request');
      await sys.stopSystem();
      // The answer comes only after the store has closed: the worker must leave the row alone.
      held[0]?.res.writeHead(204).end();
      answering = true;

      sys = await TestSystem.start(dataDir, {}, env);
      await eventually(() => held.length === 2, 5000, 'the resend after the restart');
      const [first, again] = held;
      expect(again?.key).toBe(first?.key);
      const outbox = sys.system.cloud.notifications;
      const row = await eventually(
        async () => (await outbox.ofAlert(first?.alertId ?? '')).find((n) => n.status === 'delivered'),
        3000,
        'the delivery to be recorded',
      );
      expect(row.id).toBe(first?.key);
    } finally {
      await sys.stopSystem();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
