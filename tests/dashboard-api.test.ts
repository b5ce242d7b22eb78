import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCloud } from '../cloud/app.ts';
import type { DeviceHealthRow } from '../cloud/domain/device-health.ts';
import type { ElderDetail, HouseholdDetail } from '../cloud/domain/directory.ts';
import type { RegionNode } from '../cloud/domain/region-tree.ts';
import type { SimHomeView } from '../cloud/routes/sim.ts';
import { type Alert, timestamp, topics } from '../protocol/index.ts';
import { DEMO_WORLD } from '../system/app.ts';
import { demoUser, eventually, TestSystem, tempDir } from './support/system.ts';

const localYear = (): number => new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

describe('the read API of the dispatch dashboard, on a whole system', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start();
  });
  afterAll(async () => {
    await sys.stop();
  });

  const get = async <T>(username: string, path: string) => sys.api<T>(await sys.login(username), 'GET', path);
  const sim = async (username: string, gatewayId: string, action: string) =>
    sys.api<{ gatewayId: string; action: string; eventId?: string; code?: string }>(
      await sys.login(username),
      'POST',
      `/api/sim/homes/${gatewayId}/${action}`,
    );
  const offlineGateways = async (): Promise<DeviceHealthRow[]> => {
    const res = await get<DeviceHealthRow[]>('sup-city', '/api/devices?problem=offline');
    return res.body.filter((r) => r.deviceId === null);
  };

  it("an operator of the elder's community reads the elder's file with contacts, profile and age", async () => {
    const res = await get<ElderDetail>('op-shizishan', '/api/elders/el-0001');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'el-0001',
      name: '黄德明',
      householdId: 'hh-0001',
      region: 'ziyang.yanjiang.shizishan',
      regionName: '狮子山社区',
      address: '资阳市雁江区狮子山路74号7栋2单元502',
      age: localYear() - 1947,
      profile: {
        birthYear: 1947,
        livesAlone: false,
        contacts: [{ name: '黄伟', relation: '儿子', phone: '138-0000-0514' }],
      },
    });
  });

  it('an operator of another community gets 404 for that elder, as if the elder did not exist', async () => {
    expect((await get('op-sanxianci', '/api/elders/el-0001')).status).toBe(404);
    expect((await get('op-shizishan', '/api/elders/el-9999')).status).toBe(404);
  });

  it('a family member sees their own elder and not the other elder of the same home', async () => {
    expect((await get<ElderDetail>('family-el-0001', '/api/elders/el-0001')).body.name).toBe('黄德明');
    expect((await get('family-el-0001', '/api/elders/el-0002')).status).toBe(404);
  });

  it('the household shows its gateway online and every device with its state once the home has connected', async () => {
    await sys.home('gw-0001');
    const household = await eventually(
      async () => {
        const res = await get<HouseholdDetail>('op-shizishan', '/api/households/hh-0001');
        const gw = res.body.gateways[0];
        return gw?.state === 'online' && gw.devices.every((d) => d.online === true) && res.body;
      },
      5000,
      'gw-0001 and its devices online',
    );
    expect(household).toMatchObject({ id: 'hh-0001', regionName: '狮子山社区' });
    expect(household.elders.map((e) => e.id)).toEqual(['el-0001', 'el-0002']);
    const [gateway] = household.gateways;
    expect(gateway?.id).toBe('gw-0001');
    expect(gateway?.lastSeenAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(gateway?.devices).toContainEqual(
      expect.objectContaining({
        id: 'gw-0001-sos',
        kind: 'rf433-bridge',
        elderId: 'el-0001',
        location: '客厅',
      }),
    );
    for (const d of gateway?.devices ?? []) expect(d.battery).toBeGreaterThan(0);
    expect((await get('op-sanxianci', '/api/households/hh-0001')).status).toBe(404);
    expect((await get('family-el-0002', '/api/households/hh-0001')).status).toBe(200);
  });

  it('a gateway whose power is cut is listed offline through its will, and leaves the list when power returns', async () => {
    expect((await sim('admin', 'gw-0005', 'power_restore')).status).toBe(202);
    await eventually(
      async () => !(await offlineGateways()).some((r) => r.gatewayId === 'gw-0005'),
      5000,
      'gw-0005 online',
    );
    expect((await sim('admin', 'gw-0005', 'power_cut')).status).toBe(202);
    const row = await eventually(
      async () => (await offlineGateways()).find((r) => r.gatewayId === 'gw-0005' && r.online === false),
      5000,
      'gw-0005 offline by its will',
    );
    expect(row).toMatchObject({ kind: 'gateway', householdId: 'hh-0005', region: 'ziyang.anyue.zhouli' });
    const homes = await get<SimHomeView[]>('admin', '/api/sim/homes');
    expect(homes.body.find((h) => h.gatewayId === 'gw-0005')).toMatchObject({
      connected: false,
      powered: false,
    });
    const refused = await sim('admin', 'gw-0005', 'sos');
    expect([refused.status, refused.body.code]).toEqual([409, 'ERR_NO_POWER']);

    expect((await sim('admin', 'gw-0005', 'power_restore')).status).toBe(202);
    await eventually(
      async () => !(await offlineGateways()).some((r) => r.gatewayId === 'gw-0005'),
      5000,
      'gw-0005 back online',
    );
  });

  it('a device reporting 15 % battery is listed under low_battery, ahead of healthy devices', async () => {
    const home = await sys.home('gw-0003');
    const state = { ts: timestamp(), online: true, battery: 15 };
    await home.client.publishAsync(topics.deviceState('gw-0003', 'gw-0003-fall'), JSON.stringify(state), {
      qos: 1,
      retain: true,
    });
    const rows = await eventually(
      async () => {
        const res = await get<DeviceHealthRow[]>('sup-yanjiang', '/api/devices?problem=low_battery');
        return res.body.some((r) => r.deviceId === 'gw-0003-fall') && res.body;
      },
      5000,
      'low battery listed',
    );
    expect(rows.find((r) => r.deviceId === 'gw-0003-fall')).toMatchObject({
      gatewayId: 'gw-0003',
      kind: 'mr60fda1',
      battery: 15,
      online: true,
      elderName: expect.any(String),
    });
    const all = (await get<DeviceHealthRow[]>('op-liantai', '/api/devices?problem=all')).body;
    expect(all.every((r) => r.region === 'ziyang.yanjiang.liantai')).toBe(true);
    expect(all.findIndex((r) => r.deviceId === 'gw-0003-fall')).toBeLessThan(
      all.findIndex((r) => r.deviceId === 'gw-0003-sos'),
    );
    expect((await get('family-el-0001', '/api/devices')).status).toBe(403);
    expect((await get('op-liantai', '/api/devices?region=ziyang.anyue')).status).toBe(404);
  });

  it('two SOS in two communities count as open critical in each community and twice in the district and the city', async () => {
    const critical = (tree: RegionNode[], id: string) => tree.find((r) => r.id === id)?.open.critical ?? -1;
    const before = (await get<RegionNode[]>('sup-city', '/api/regions')).body;
    await (await sys.home('gw-0007')).event('sos');
    await (await sys.home('gw-0008')).event('sos');
    const ids = ['ziyang', 'ziyang.yanjiang', 'ziyang.yanjiang.shizishan', 'ziyang.yanjiang.sanxianci'];
    const added = [2, 2, 1, 1];
    const city = await eventually(
      async () => {
        const tree = (await get<RegionNode[]>('sup-city', '/api/regions')).body;
        return ids.every((id, i) => critical(tree, id) === critical(before, id) + (added[i] ?? 0)) && tree;
      },
      5000,
      'rolled-up counts',
    );
    expect(critical(city, 'ziyang.anyue')).toBe(critical(before, 'ziyang.anyue'));
    const district = (await get<RegionNode[]>('sup-yanjiang', '/api/regions')).body;
    expect(district.map((r) => r.id)).toEqual([
      'ziyang.yanjiang',
      'ziyang.yanjiang.liantai',
      'ziyang.yanjiang.sanxianci',
      'ziyang.yanjiang.shizishan',
    ]);
    const top = district[0];
    expect(top).toMatchObject({ name: '雁江区', level: 'district', parent: 'ziyang' });
    expect(top?.open.critical).toBe(critical(city, 'ziyang.yanjiang'));
    expect(top?.openTotal).toBe(Object.values(top?.open ?? {}).reduce((a, b) => a + b, 0));
    expect((await get('family-el-0001', '/api/regions')).status).toBe(403);
  });

  it('the simulator panel refuses an operator, and an SOS pressed by an admin raises an alert', async () => {
    const refused = await sim('op-yuelong', 'gw-0010', 'sos');
    expect([refused.status, refused.body.code]).toEqual([403, 'ERR_FORBIDDEN']);
    const res = await sim('admin', 'gw-0010', 'sos');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ gatewayId: 'gw-0010', action: 'sos', eventId: expect.any(String) });
    const token = await sys.login('op-yuelong');
    const alert = await eventually(
      async () =>
        (await sys.api<Alert[]>(token, 'GET', '/api/alerts?state=open')).body.find(
          (a) => a.eventId === res.body.eventId,
        ),
      5000,
      'the alert of the simulated SOS',
    );
    expect(alert).toMatchObject({ type: 'sos', severity: 'critical', gatewayId: 'gw-0010' });
    const vitals = await sim('admin', 'gw-0010', 'vitals_low_spo2');
    expect([vitals.status, vitals.body]).toEqual([202, { gatewayId: 'gw-0010', action: 'vitals_low_spo2' }]);
    const noBand = await sim('admin', 'gw-0006', 'vitals_low_spo2');
    expect([noBand.status, noBand.body.code]).toEqual([409, 'ERR_NO_DEVICE']);
    expect((await sim('admin', 'gw-9999', 'sos')).status).toBe(404);
    expect((await sim('admin', 'gw-0010', 'explode')).status).toBe(400);
  });

  it('the simulator panel’s smoke names the kitchen on a critical alert, and its green key makes a meal ticket, not an alert', async () => {
    const smoke = await sim('admin', 'gw-0011', 'smoke');
    expect(smoke.status).toBe(202);
    const admin = await sys.login('admin');
    const alert = await eventually(
      async () =>
        (await sys.api<Alert[]>(admin, 'GET', '/api/alerts?state=open')).body.find(
          (a) => a.eventId === smoke.body.eventId,
        ),
      5000,
      'the smoke alert',
    );
    expect(alert).toMatchObject({ type: 'smoke', severity: 'critical', gatewayId: 'gw-0011' });
    const detail = await sys.api<{ details?: { room?: string } }>(admin, 'GET', `/api/alerts/${alert.id}`);
    expect(detail.body.details?.room).toBe('kitchen');

    const key = await sim('admin', 'gw-0011', 'service_request');
    expect(key.status).toBe(202);
    const ticket = await eventually(
      async () =>
        (
          await sys.api<{ eventId: string; service: string; state: string }[]>(
            admin,
            'GET',
            '/api/service-requests',
          )
        ).body.find((t) => t.eventId === key.body.eventId),
      5000,
      'the meal ticket',
    );
    expect(ticket).toMatchObject({ service: 'meal', state: 'requested' });
    const alerts = (await sys.api<Alert[]>(admin, 'GET', '/api/alerts')).body;
    expect(alerts.some((a) => a.eventId === key.body.eventId)).toBe(false);
  });

  it('the simulator panel lists the 24 demo homes with address and elders, for admins only', async () => {
    const res = await get<SimHomeView[]>('admin', '/api/sim/homes');
    expect(res.body).toHaveLength(24);
    expect(res.body.find((h) => h.gatewayId === 'gw-0001')).toEqual({
      gatewayId: 'gw-0001',
      householdId: 'hh-0001',
      address: '资阳市雁江区狮子山路74号7栋2单元502',
      elderNames: ['黄德明', expect.any(String)],
      connected: false,
      powered: true,
    });
    expect((await get('sup-city', '/api/sim/homes')).status).toBe(403);
  });
});

describe('a cloud built without simulated homes', () => {
  it('answers the simulator panel with 404 ERR_NO_SIMULATOR', async () => {
    const dataDir = await tempDir();
    const cloud = await buildCloud({
      dataDir,
      logger: pino({ level: 'silent' }),
      tickMs: 0,
      mqtt: { username: 'svc:cloud', password: 'unused' },
    });
    try {
      await cloud.seedIfEmpty(DEMO_WORLD);
      const login = await cloud.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'admin', password: demoUser('admin').password },
      });
      const { token } = login.json<{ token: string }>();
      const res = await cloud.app.inject({
        method: 'POST',
        url: '/api/sim/homes/gw-0001/sos',
        headers: { authorization: `Bearer ${token}` },
      });
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([404, 'ERR_NO_SIMULATOR']);
    } finally {
      await cloud.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
