import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from './support/system.ts';

const FAMILY = 'family-el-0001';

describe('where and when a logged-in user is told of alerts', () => {
  let sys: TestSystem;
  let family: string;

  beforeAll(async () => {
    sys = await TestSystem.start();
    family = await sys.login(FAMILY);
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('notification preferences are checked field by field and critical is always kept', async () => {
    const put = (body: unknown) =>
      sys.api<Record<string, unknown>>(family, 'PUT', '/api/me/notifications', body);
    const base = { push: true, severities: ['high'] };
    for (const bad of [
      { ...base, quietHours: { start: '25:00', end: '07:00' } },
      { ...base, quietHours: { start: '22:00' } },
      { ...base, email: 'not-an-address' },
      { ...base, webhook: 'ftp://example.com/hook' },
      { ...base, severities: ['urgent'] },
      { severities: ['high'] },
    ])
      expect((await put(bad)).status, JSON.stringify(bad)).toBe(400);
    const good = {
      push: false,
      email: 'daughter@example.com',
      webhook: 'http://sms-gateway.local/send',
      severities: ['high', 'medium'],
      quietHours: { start: '22:00', end: '07:00' },
    };
    expect((await put(good)).body).toEqual({ ...good, severities: ['critical', 'high', 'medium'] });
    expect((await sys.api(family, 'GET', '/api/me/notifications')).body).toEqual({
      ...good,
      severities: ['critical', 'high', 'medium'],
    });
  });

  it('a browser subscribes to push with an https endpoint and removes only its own subscription', async () => {
    const key = await sys.api<{ publicKey: string }>(null, 'GET', '/api/push/vapid-public-key');
    expect(key.status).toBe(200);
    expect(key.body.publicKey).toMatch(/^[A-Za-z0-9_-]{80,}$/);
    const keys = {
      p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
      auth: 'tBHItJI5svbpez7KI4CCXg',
    };
    const endpoint = 'https://push.example.com/send/abc123';
    const sub = (token: string, body: unknown) => sys.api(token, 'POST', '/api/me/push-subscriptions', body);
    expect((await sub(family, { endpoint: 'http://push.example.com/x', keys })).status).toBe(400);
    expect((await sub(family, { endpoint, keys: { p256dh: '<script>', auth: 'x' } })).status).toBe(400);
    expect((await sub(family, { endpoint, keys })).status).toBe(201);
    expect(await sys.system.cloud.notifications.pushEndpoints(FAMILY)).toContain(endpoint);
    const stranger = await sys.login('family-el-0003');
    expect((await sys.api(stranger, 'DELETE', '/api/me/push-subscriptions', { endpoint })).status).toBe(404);
    expect((await sys.api(family, 'DELETE', '/api/me/push-subscriptions', { endpoint })).status).toBe(204);
    expect(await sys.system.cloud.notifications.pushEndpoints(FAMILY)).not.toContain(endpoint);
  });

  it('any logged-in user keeps preferences of their own, and nobody without a login does', async () => {
    const operator = await sys.login('op-shizishan');
    const prefs = { push: true, email: 'op@example.com', severities: ['critical'] };
    expect((await sys.api(operator, 'PUT', '/api/me/notifications', prefs)).status).toBe(200);
    expect((await sys.api(operator, 'GET', '/api/me/notifications')).body).toEqual(prefs);
    expect((await sys.api(null, 'GET', '/api/me/notifications')).status).toBe(401);
    expect((await sys.api(null, 'PUT', '/api/me/notifications', prefs)).status).toBe(401);
    expect((await sys.api(null, 'POST', '/api/me/push-subscriptions', {})).status).toBe(401);
  });
});
