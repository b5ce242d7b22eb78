import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sosMessage } from './test-fixtures.ts';
import { signWebhook, verifyWebhookSignature, WebhookChannel } from './webhook.ts';

const SECRET = 'a-webhook-secret-of-enough-length';

interface Hook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  verified: boolean;
}

describe('signed webhook channel against a local receiver', () => {
  const hooks: Hook[] = [];
  let answer = 204;
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
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
        hooks.push({ headers: req.headers, raw, verified });
        if (req.url === '/hang') return; // never answers
        res.writeHead(verified ? answer : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('the receiver verifies the signature and gets the alert as JSON, without the accept token', async () => {
    const message = sosMessage();
    await new WebhookChannel({ secret: SECRET }).send(`${url}/sms`, message);

    const hook = hooks.at(-1) as Hook;
    expect(hook.verified).toBe(true);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['idempotency-key']).toBe(message.notificationId);
    expect(hook.headers['x-eldercare-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Math.abs(Number(hook.headers['x-eldercare-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const body = JSON.parse(hook.raw.toString('utf8')) as Record<string, unknown>;
    expect(body).toEqual({
      notificationId: message.notificationId,
      alertId: message.alertId,
      reason: 'alert',
      type: 'sos',
      severity: 'critical',
      state: 'open',
      elderName: '黄德明',
      address: message.address,
      occurredAt: message.occurredAt,
      link: message.link,
    });
    expect(hook.raw.toString('utf8')).not.toContain(message.acceptToken);
  });

  it('a tampered body, another secret or a stale timestamp fails verification', async () => {
    await new WebhookChannel({ secret: SECRET }).send(`${url}/sms`, sosMessage());
    const { headers, raw } = hooks.at(-1) as Hook;
    const ts = headers['x-eldercare-timestamp'] as string;
    const sig = headers['x-eldercare-signature'] as string;
    const tampered = Buffer.from(raw.toString('utf8').replace('黄德明', '王小明'));
    expect(verifyWebhookSignature(SECRET, ts, raw, sig)).toBe(true);
    expect(verifyWebhookSignature(SECRET, ts, tampered, sig)).toBe(false);
    expect(verifyWebhookSignature('another-secret-entirely', ts, raw, sig)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(Number(ts) + 1), raw, sig)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, raw, sig, 300, (Number(ts) + 301) * 1000)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, raw, sig.slice(0, -1))).toBe(false);
    expect(verifyWebhookSignature(SECRET, undefined, raw, sig)).toBe(false);
  });

  it('a signature is HMAC-SHA256 of "<timestamp>.<body>", as documented for receivers', () => {
    const expected = createHmac('sha256', 'key').update('1700000000.{"a":1}').digest('hex');
    expect(signWebhook('key', '1700000000', '{"a":1}')).toBe(`sha256=${expected}`);
    expect(signWebhook('key', '1700000000', Buffer.from('{"a":1}'))).toBe(`sha256=${expected}`);
  });

  it('a receiver error (500) throws, so the worker retries', async () => {
    answer = 500;
    await expect(new WebhookChannel({ secret: SECRET }).send(`${url}/sms`, sosMessage())).rejects.toThrow(
      /500/,
    );
    answer = 204;
  });

  it('nothing listening throws', async () => {
    await expect(
      new WebhookChannel({ secret: SECRET }).send('http://127.0.0.1:1/sms', sosMessage()),
    ).rejects.toThrow();
  });

  it('a receiver that never answers is given up after the timeout', async () => {
    const started = Date.now();
    await expect(
      new WebhookChannel({ secret: SECRET, timeoutMs: 300 }).send(`${url}/hang`, sosMessage()),
    ).rejects.toThrow(/timeout|aborted/i);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
