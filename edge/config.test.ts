import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgeConfigError, loadEdgeConfig, parseEdgeConfig } from './config.ts';

const valid = {
  gatewayId: 'gw-0001',
  secret: 'a-long-secret',
  broker: 'mqtt://127.0.0.1:1883',
  dataDir: 'data',
  devices: [
    {
      id: 'sos',
      kind: 'rf433-bridge',
      transport: { type: 'serial', path: '/dev/ttyUSB0', baudRate: 19200 },
      codes: { '77535C': 'sos' },
    },
    {
      id: 'fall',
      kind: 'mr60fda1',
      elderId: 'el-1',
      transport: { type: 'serial', path: '/dev/ttyUSB1', baudRate: 115200 },
    },
    { id: 'band', kind: 'ble-vitals', transport: { type: 'ble', address: 'AA:BB:CC:DD:EE:FF' } },
    {
      id: 'door',
      kind: 'zigbee',
      transport: { type: 'zigbee2mqtt', url: 'mqtt://127.0.0.1:1884', friendlyName: 'front_door' },
    },
  ],
};

function error(value: unknown): string {
  try {
    parseEdgeConfig(value, '/etc/eldercare', 'edge.json');
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('the edge configuration of CONTRACT §5', () => {
  it('a valid config is accepted and its dataDir resolved against the config file’s folder', () => {
    expect(parseEdgeConfig(valid, '/etc/eldercare').dataDir).toBe('/etc/eldercare/data');
  });

  it('errors name the file and the failing field', () => {
    expect(error({ ...valid, gatewayId: 'gw 1' })).toMatch(/^edge\.json: \/gatewayId/);
    expect(error({ ...valid, broker: 'http://x' })).toMatch(/\/broker/);
    expect(error({ ...valid, devices: [{ ...valid.devices[0], kind: 'toaster' }] })).toMatch(
      /\/devices\/0\/kind/,
    );
    expect(
      error({ ...valid, devices: [{ ...valid.devices[1], transport: { type: 'serial', path: '/dev/x' } }] }),
    ).toMatch(/devices\/0\/transport/);
  });

  it('a bridge without codes, a device id used twice and an SMS modem on a device port are refused', () => {
    const { codes: _codes, ...bridge } = valid.devices[0] as Record<string, unknown>;
    expect(error({ ...valid, devices: [bridge] })).toMatch(/\/devices\/0\/codes is required/);
    expect(error({ ...valid, devices: [valid.devices[1], valid.devices[1]] })).toMatch(/used twice/);
    expect(error({ ...valid, sms: { port: '/dev/ttyUSB0', numbers: ['+8613800000000'] } })).toMatch(
      /\/sms\/port/,
    );
  });

  it('a 433 MHz code may say service_request in the string or the object form; a service outside the list is refused', () => {
    const bridge = valid.devices[0] as Record<string, unknown>;
    const codes = {
      '77535C': 'sos',
      ABCDEF: 'service_request:meal',
      ABCDE0: { type: 'service_request', service: 'chat' },
      ABCDE1: { type: 'checkin' },
    };
    expect(parseEdgeConfig({ ...valid, devices: [{ ...bridge, codes }] }, '/').devices[0]?.codes).toEqual(
      codes,
    );
    expect(error({ ...valid, devices: [{ ...bridge, codes: { ABCDEF: 'service_request:taxi' } }] })).toMatch(
      /\/devices\/0\/codes/,
    );
    expect(
      error({
        ...valid,
        devices: [{ ...bridge, codes: { ABCDEF: { type: 'service_request', service: 'taxi' } } }],
      }),
    ).toMatch(/\/devices\/0\/codes/);
    expect(error({ ...valid, devices: [{ ...bridge, codes: { ABCDEF: { type: 'fall' } } }] })).toMatch(
      /\/devices\/0\/codes/,
    );
  });

  it('a zigbee device takes a room, button actions and a bridge grace, and needs the zigbee2mqtt transport', () => {
    const door = valid.devices[3] as Record<string, unknown>;
    const zb = { ...door, room: 'kitchen', actions: { single: 'service_request:meal' }, bridgeGraceS: 5 };
    expect(parseEdgeConfig({ ...valid, devices: [zb] }, '/').devices[0]).toMatchObject({ room: 'kitchen' });
    expect(error({ ...valid, devices: [{ ...door, transport: valid.devices[1]?.transport }] })).toMatch(
      /\/devices\/0\/transport must be zigbee2mqtt/,
    );
    expect(error({ ...valid, devices: [{ ...valid.devices[1], transport: door.transport }] })).toMatch(
      /\/devices\/0\/transport zigbee2mqtt is only for zigbee/,
    );
    expect(error({ ...valid, devices: [{ ...zb, actions: { single: 'fall' } }] })).toMatch(
      /\/devices\/0\/actions/,
    );
  });

  it('the example config an installer starts from (edge/examples/edge.example.json) is valid', () => {
    const config = loadEdgeConfig(join(import.meta.dirname, 'examples', 'edge.example.json'));
    expect(config.devices.map((d) => d.kind)).toContain('zigbee');
  });
});
