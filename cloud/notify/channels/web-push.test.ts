import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sosMessage } from './test-fixtures.ts';
import { loadOrCreateVapidKeys, type VapidDetails, vapidPublicKey } from './vapid.ts';
import { type PushKeys, type PushPayload, topicOf, WebPushChannel } from './web-push.ts';

/** A browser's side of a subscription: its P-256 key pair and auth secret. */
function browserSubscription(): { ecdh: ReturnType<typeof createECDH>; keys: PushKeys } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = {
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
  return { ecdh, keys };
}

const hkdf = (ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, length));

/** What the browser does with a push message: RFC 8291 key derivation, then one RFC 8188 aes128gcm record. */
function decryptPush(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLen = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + idLen);
  const record = body.subarray(21 + idLen);
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderKey]);
  const ikm = hkdf(shared, auth, keyInfo, 32);
  const cek = hkdf(ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  expect(padded[end]).toBe(2);
  return padded.subarray(0, end).toString('utf8');
}

/** Checks `vapid t=<JWT>, k=<key>` as a push service does; returns the JWT's claims. */
function verifyVapid(header: string | undefined, publicKey: string): Record<string, unknown> {
  const match = /^vapid t=([^,]+), k=(\S+)$/.exec(header ?? '');
  expect(match?.[2]).toBe(publicKey);
  const [h = '', p = '', sig = ''] = (match?.[1] ?? '').split('.');
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(sig, 'base64url'),
  );
  expect(ok).toBe(true);
  expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}

interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe('Web Push channel against a local push service', () => {
  let dataDir: string;
  let vapid: VapidDetails;
  let server: Server;
  let origin: string;
  let answer = 201;
  const requests: PushRequest[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eldercare-push-'));
    vapid = loadOrCreateVapidKeys(dataDir, 'mailto:ops@care.example.org');
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    answer = 201;
  });

  function channelFor(subscriptions: Map<string, PushKeys>, gone: string[] = []): WebPushChannel {
    return new WebPushChannel({
      vapid,
      keysFor: async (endpoint) => subscriptions.get(endpoint) ?? null,
      onGone: (endpoint) => gone.push(endpoint),
    });
  }

  it('the device decrypts the alert with its own key and finds the title, link, accept token and action', async () => {
    const browser = browserSubscription();
    const endpoint = `${origin}/push/device-1`;
    const message = sosMessage();
    await channelFor(new Map([[endpoint, browser.keys]])).send(endpoint, message);

    const req = requests.at(-1) as PushRequest;
    expect(req.path).toBe('/push/device-1');
    expect(req.headers['content-encoding']).toBe('aes128gcm');
    const payload = JSON.parse(
      decryptPush(req.body, browser.ecdh, Buffer.from(browser.keys.auth, 'base64url')),
    ) as PushPayload;
    expect(payload).toMatchObject({
      title: '紧急呼叫 SOS · 黄德明',
      body: '资阳市雁江区狮子山街道滨江路 12 号 3 单元 502 · 10:15',
      alertId: message.alertId,
      notificationId: message.notificationId,
      acceptToken: message.acceptToken,
      link: message.link,
      actions: [{ action: 'accept', title: '我这就去 / On my way' }],
    });
  });

  it('the request carries a VAPID JWT signed with our key for the push service origin, with TTL, Urgency and Topic', async () => {
    const browser = browserSubscription();
    const endpoint = `${origin}/push/device-2`;
    const message = sosMessage();
    await channelFor(new Map([[endpoint, browser.keys]])).send(endpoint, message);

    const { headers } = requests.at(-1) as PushRequest;
    const claims = verifyVapid(headers.authorization, vapid.publicKey);
    expect(claims).toMatchObject({ aud: origin, sub: 'mailto:ops@care.example.org' });
    expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
    expect(Number(claims.exp)).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
    expect(headers.ttl).toBe('3600');
    expect(headers.urgency).toBe('high');
    expect(headers.topic).toBe(topicOf(message.notificationId));
    expect(headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });

  it('a retry of the same notification has the same Topic, so the push service keeps only one', async () => {
    const browser = browserSubscription();
    const endpoint = `${origin}/push/device-3`;
    const channel = channelFor(new Map([[endpoint, browser.keys]]));
    await channel.send(endpoint, sosMessage());
    await channel.send(endpoint, sosMessage());
    const [first, retry] = requests.slice(-2).map((r) => r.headers.topic);
    expect(retry).toBe(first);
  });

  it('a resolved follow-up is its own message: another Topic, normal urgency, nothing to accept', async () => {
    const browser = browserSubscription();
    const endpoint = `${origin}/push/device-4`;
    const alert = sosMessage();
    const resolved = sosMessage({
      notificationId: alert.notificationId.replace(':alert:', ':resolved:'),
      reason: 'resolved',
      state: 'resolved',
      outcome: 'family_assisted',
    });
    await channelFor(new Map([[endpoint, browser.keys]])).send(endpoint, resolved);
    const req = requests.at(-1) as PushRequest;
    expect(req.headers.topic).not.toBe(topicOf(alert.notificationId));
    expect(req.headers.urgency).toBe('normal');
    const payload = JSON.parse(
      decryptPush(req.body, browser.ecdh, Buffer.from(browser.keys.auth, 'base64url')),
    ) as PushPayload;
    expect(payload.title).toBe('已处理完毕 Resolved: 紧急呼叫 SOS · 黄德明');
    expect(payload.body).toContain('家属已协助 Assisted by family');
    expect(payload.actions).toEqual([]);
    expect(payload.tag).toBe(alert.alertId);
  });

  it('when the push service says the subscription is gone (410), it is forgotten and nothing is retried', async () => {
    answer = 410;
    const browser = browserSubscription();
    const endpoint = `${origin}/push/expired`;
    const gone: string[] = [];
    await expect(
      channelFor(new Map([[endpoint, browser.keys]]), gone).send(endpoint, sosMessage()),
    ).resolves.toBe('gone');
    expect(gone).toEqual([endpoint]);
  });

  it('any other refusal (500) throws, so the worker retries', async () => {
    answer = 500;
    const browser = browserSubscription();
    const endpoint = `${origin}/push/busy`;
    const gone: string[] = [];
    await expect(
      channelFor(new Map([[endpoint, browser.keys]]), gone).send(endpoint, sosMessage()),
    ).rejects.toThrow(/500/);
    expect(gone).toEqual([]);
  });

  it('a subscription removed since the notification was planned is skipped without a request', async () => {
    const before = requests.length;
    await channelFor(new Map()).send(`${origin}/push/removed`, sosMessage());
    expect(requests.length).toBe(before);
  });

  it('VAPID keys are made once, kept in DATA_DIR/vapid.json (0600) and reused after a restart', async () => {
    const again = loadOrCreateVapidKeys(dataDir, 'https://care.example.org/contact');
    expect(again).toEqual({ ...vapid, subject: 'https://care.example.org/contact' });
    expect(vapidPublicKey(dataDir)).toBe(vapid.publicKey);
    expect(Buffer.from(vapid.publicKey, 'base64url')).toHaveLength(65);
    expect((await stat(join(dataDir, 'vapid.json'))).mode & 0o777).toBe(0o600);
  });

  it('a damaged vapid.json stops start-up instead of silently orphaning every subscription', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eldercare-vapid-'));
    await writeFile(join(dir, 'vapid.json'), '{"publicKey": 42}');
    expect(() => loadOrCreateVapidKeys(dir, 'mailto:a@b.c')).toThrow(/vapid\.json does not hold VAPID keys/);
    await rm(dir, { recursive: true, force: true });
  });
});
