import { describe, expect, it } from 'vitest';
import { ConfigError } from '../system/config.ts';
import { loadBrokerConfig } from './config.ts';

const password = 'a-service-password-of-24c';

describe('standalone broker configuration', () => {
  it('with only the service password set, a single broker reads the registry in DATA_DIR', () => {
    const c = loadBrokerConfig({ MQTT_SERVICE_PASSWORD: password }, '/srv/broker');
    expect(c).toMatchObject({
      mqttPort: 1883,
      host: '127.0.0.1',
      dataDir: '/srv/broker/data',
      redisUrl: undefined,
      gatewayRegistry: 'sqlite:/srv/broker/data/cloud.db',
      offlineTtlS: 86_400,
    });
  });

  it('REDIS_URL makes it a cluster member, passed on as written', () => {
    const c = loadBrokerConfig({ MQTT_SERVICE_PASSWORD: password, REDIS_URL: 'redis://:pw@10.0.0.5:6380/2' });
    expect(c.redisUrl).toBe('redis://:pw@10.0.0.5:6380/2');
  });

  it.each([
    ['MQTT_SERVICE_PASSWORD', undefined],
    ['MQTT_SERVICE_PASSWORD', 'short'],
    ['REDIS_URL', 'http://redis:6379'],
    ['MQTT_PORT', '99999'],
    ['OFFLINE_TTL_S', '5'],
    ['BROKER_ID', 'has spaces'],
    ['GATEWAY_REGISTRY', 'no-scheme'],
  ])('a bad %s (%s) fails with an error naming the variable', (name, value) => {
    const env: Record<string, string | undefined> = { MQTT_SERVICE_PASSWORD: password, [name]: value };
    const run = () => loadBrokerConfig(env);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(`^${name} `));
  });
});
