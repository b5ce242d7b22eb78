import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../protocol/index.ts';
import { eventually, postgresDatabase, TestSystem } from './support/system.ts';

/**
 * The key flows with the cloud's store on PostgreSQL (DATABASE_URL), whatever TEST_DATABASE says: the
 * rest of the system tests run on it with TEST_DATABASE=postgres.
 */
describe('the whole system with its store on PostgreSQL', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    const dataDir = 'postgres-store-test';
    sys = await TestSystem.start(
      undefined,
      {},
      {
        DATABASE_URL: await postgresDatabase(dataDir),
        ESCALATE_AFTER_S: '1',
      },
    );
  }, 120_000);
  afterAll(async () => {
    await sys?.stop();
  });

  it('the store really is PostgreSQL: the demo world was seeded into it', async () => {
    expect(sys.system.cloud.store.dialect).toBe('postgres');
    expect(
      await sys.system.cloud.store.get('SELECT count(*) AS n FROM gateways WHERE id = $1', ['gw-0001']),
    ).toEqual({
      n: 1,
    });
  });

  it('an SOS over MQTT becomes one alert, is acknowledged and resolved over REST, and the gateway hears each step', async () => {
    const operator = await sys.dispatcher('op-shizishan');
    const token = await sys.login('op-shizishan');
    const home = await sys.home('gw-0001');
    const eventId = await home.event('sos');
    await home.event('sos', { id: eventId });
    const alert = await eventually(
      () => operator.raised.find((a) => a.eventId === eventId),
      3000,
      'alert:raised',
    );
    expect(alert).toMatchObject({ type: 'sos', severity: 'critical', state: 'open', gatewayId: 'gw-0001' });

    const ack = await sys.api<Alert>(token, 'POST', `/api/alerts/${alert.id}/ack`, { note: '已联系' });
    expect(ack.status).toBe(200);
    expect(ack.body.state).toBe('acknowledged');
    const resolved = await sys.api<Alert>(token, 'POST', `/api/alerts/${alert.id}/resolve`, {
      outcome: 'assisted',
    });
    expect(resolved.body.state).toBe('resolved');
    await eventually(
      () =>
        ['acknowledged', 'resolved'].every((s) =>
          home.feedback.some((f) => f.alertId === alert.id && f.state === s),
        ),
      3000,
      'feedback to the gateway',
    );
    const { body: alerts } = await sys.api<Alert[]>(token, 'GET', '/api/alerts');
    expect(alerts.filter((a) => a.eventId === eventId)).toHaveLength(1);
    expect(operator.raised.filter((a) => a.eventId === eventId)).toHaveLength(1);
  });

  it('an unacknowledged alert escalates to the district on its deadline', async () => {
    const supervisor = await sys.dispatcher('sup-yanjiang');
    const home = await sys.home('gw-0002');
    const eventId = await home.event('sos');
    const escalated = await eventually(
      () => supervisor.updated.find((a) => a.eventId === eventId && a.escalationLevel >= 1),
      8000,
      'an escalation',
    );
    expect(escalated.state).toBe('open');
  });

  it('an SOS plans a notification for the elder’s family in the same commit as the alert', async () => {
    await sys.system.cloud.notifications.setPrefs('family-el-0001', {
      push: false,
      webhook: 'https://127.0.0.1:9/hook',
      severities: ['critical'],
    });
    const operator = await sys.dispatcher('op-shizishan');
    const home = await sys.home('gw-0001');
    const eventId = await home.event('sos');
    const alert = await eventually(
      () => operator.raised.find((a) => a.eventId === eventId),
      3000,
      'alert:raised',
    );
    const planned = await sys.system.cloud.notifications.ofAlert(alert.id);
    expect(planned.map((n) => [n.recipient, n.channel])).toContainEqual(['family-el-0001', 'webhook']);
  });
});
