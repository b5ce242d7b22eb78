import { describe, expect, it } from 'vitest';
import type { AlertView } from '../domain/alert-store.ts';
import { DEFAULT_POLICY, type FamilyMember, inQuietHours, planNotifications } from './policy.ts';
import type { NotificationPrefs } from './types.ts';

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0); // 10:00 in +08:00
const alert = (over: Partial<AlertView> = {}): AlertView => ({
  id: 'al-1',
  type: 'sos',
  severity: 'critical',
  state: 'open',
  elderId: 'el-1',
  householdId: 'hh-1',
  region: 'c.d.x',
  gatewayId: 'gw-1',
  deviceId: 'd-1',
  eventId: 'ev-00001',
  occurredAt: new Date(T0).toISOString(),
  receivedAt: new Date(T0).toISOString(),
  raisedAt: new Date(T0).toISOString(),
  escalationLevel: 0,
  repeatCount: 0,
  lastSeenAt: new Date(T0).toISOString(),
  elderName: '黄德明',
  address: '狮子山路74号',
  ...over,
});
const prefs = (over: Partial<NotificationPrefs> = {}): NotificationPrefs => ({
  push: true,
  severities: ['critical', 'high'],
  ...over,
});
const daughter: FamilyMember = {
  username: 'daughter',
  prefs: prefs({ email: 'd@example.org' }),
  pushEndpoints: ['https://push/1'],
};
const son: FamilyMember = {
  username: 'son',
  prefs: prefs({ webhook: 'https://sms.example/hook' }),
  pushEndpoints: [],
};
const plan = (a: AlertView, told: string[] = [], accepted = false, family = [daughter, son]) =>
  planNotifications(
    { alert: a, family, told: new Set(told), accepted, now: T0, sign: (id) => `sig:${id}` },
    DEFAULT_POLICY,
  );

describe('who in the family is told what, and when', () => {
  it('a critical alert starts the family call chain at once: one member, then the next two minutes later', () => {
    const planned = plan(alert());
    expect(planned.map((p) => [p.recipient, p.channel, p.notBefore - T0])).toEqual([
      ['daughter', 'push', 0],
      ['daughter', 'email', 0],
      ['son', 'webhook', 120_000],
    ]);
    expect(planned[0]?.message).toMatchObject({
      elderName: '黄德明',
      type: 'sos',
      reason: 'alert',
      acceptToken: `sig:${planned[0]?.id}`,
    });
    expect(planned[0]?.message.link).toMatch(/\/family\/#\/alerts\/al-1$/);
  });

  it('a high alert waits for the first escalation, medium and low never wake the family by policy', () => {
    expect(plan(alert({ severity: 'high' }))).toEqual([]);
    expect(plan(alert({ severity: 'high', escalationLevel: 1 })).length).toBeGreaterThan(0);
    expect(plan(alert({ severity: 'medium', escalationLevel: 2 }))).toEqual([]);
  });

  it('once a family member has accepted, the chain stops', () => {
    expect(plan(alert(), [], true)).toEqual([]);
  });

  it('acknowledged and resolved go only to those already told, with the outcome', () => {
    const acked = plan(alert({ state: 'acknowledged' }), ['daughter']);
    expect(acked.filter((p) => p.reason === 'acknowledged').map((p) => p.recipient)).toEqual([
      'daughter',
      'daughter',
    ]);
    const resolved = plan(alert({ state: 'resolved', outcome: 'assisted' }), ['son']);
    expect(resolved.map((p) => [p.recipient, p.reason, p.message.outcome])).toEqual([
      ['son', 'resolved', 'assisted'],
    ]);
  });

  it('planning the same state twice gives the same ids, so the outbox stores nothing twice', () => {
    expect(plan(alert()).map((p) => p.id)).toEqual(plan(alert()).map((p) => p.id));
  });

  it('quiet hours hold back a high alert but never a critical one, and may wrap midnight', () => {
    const night = Date.UTC(2026, 10, 22, 15, 0, 0); // 23:00 local
    const sleepy = { ...daughter, prefs: prefs({ quietHours: { start: '22:00', end: '07:00' } }) };
    const at = (a: AlertView) =>
      planNotifications(
        { alert: a, family: [sleepy], told: new Set(), accepted: false, now: night, sign: () => 's' },
        DEFAULT_POLICY,
      );
    expect(at(alert({ severity: 'high', escalationLevel: 1 }))).toEqual([]);
    expect(at(alert()).length).toBeGreaterThan(0);
    expect(inQuietHours(sleepy.prefs, Date.UTC(2026, 10, 21, 23, 30), 480)).toBe(false); // 07:30 local
    expect(inQuietHours(sleepy.prefs, Date.UTC(2026, 10, 21, 22, 59), 480)).toBe(true); // 06:59 local
  });

  it('a family member who opted out of high alerts is skipped in the chain for them', () => {
    const criticalOnly = {
      ...son,
      prefs: prefs({ severities: ['critical'], webhook: 'https://sms.example/hook' }),
    };
    expect(plan(alert({ severity: 'high', escalationLevel: 1 }), [], false, [criticalOnly])).toEqual([]);
  });
});
