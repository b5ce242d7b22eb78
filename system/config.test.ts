import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('start-up configuration', () => {
  it('with no variables set, the defaults of CONTRACT §1 apply', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      httpPort: 8080,
      mqttPort: 1883,
      host: '127.0.0.1',
      dataDir: '/srv/app/data',
      simHomes: 20,
      escalateAfterS: 60,
      fallGraceS: 30,
    });
  });

  it.each([
    ['HTTP_PORT', 'eighty'],
    ['HTTP_PORT', '70000'],
    ['MQTT_PORT', '-1'],
    ['SIM_HOMES', '2.5'],
    ['ESCALATE_AFTER_S', '0'],
    ['FALL_GRACE_S', 'soon'],
    ['HOST', 'bad host!'],
    ['LOG_LEVEL', 'loud'],
  ])('a bad %s (%s) fails with an error naming the variable', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(name);
      expect((err as Error).message.startsWith(name)).toBe(true);
    }
  });

  it('a relative DATA_DIR is resolved against the working directory', () => {
    expect(loadConfig({ DATA_DIR: 'var/x' }, '/srv').dataDir).toBe('/srv/var/x');
  });
});
