import type { NotificationMessage } from '../types.ts';

/** A critical SOS of the demo world's first elder, as the outbox plans it for one family member. */
export function sosMessage(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  const alertId = overrides.alertId ?? 'al-0b7c1d2e';
  const notificationId = `${alertId}:alert:family-el-0001:email:1x2y3z`;
  return {
    notificationId,
    alertId,
    reason: 'alert',
    type: 'sos',
    severity: 'critical',
    state: 'open',
    elderName: '黄德明',
    address: '资阳市雁江区狮子山街道滨江路 12 号 3 单元 502',
    occurredAt: '2026-11-22T02:15:00.000Z',
    link: `https://care.example.org/family/#/alerts/${alertId}`,
    acceptToken: 'tok-abc',
    ...overrides,
  };
}
