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
    ['NODE_RED', 'yes'],
    ['PUBLIC_URL', 'family.example.org'],
    ['PUBLIC_URL', 'https://family.example.org/?x=1'],
    ['SMTP_URL', 'http://mail.example.org'],
    ['SMTP_URL', 'smtp://'],
    ['MAIL_FROM', 'nobody'],
    ['MAIL_FROM', 'a@b\r\nBcc: x@y'],
    ['WEBHOOK_SECRET', 'too-short'],
    ['VAPID_SUBJECT', 'http://example.org'],
    ['VAPID_SUBJECT', 'mailto:nobody'],
    ['VITALS_RAW_HOURS', '0'],
    ['VITALS_KEEP_DAYS', 'forever'],
    ['VITALS_KEEP_DAYS', '1'],
    ['INFLUX_URL', 'influx.example.org:8086'],
    ['INFLUX_URL', 'udp://influx.example.org:8089'],
    ['INFLUX_URL', 'http://influx.example.org:8086/?org=x'],
    ['INFLUX_TOKEN', 'a-token-without-a-url'],
    ['INFLUX_BUCKET', 'vitals'],
    ['DATABASE_URL', 'mysql://db.example.org/eldercare'],
    ['DATABASE_URL', 'db.example.org:5432'],
    ['DATABASE_URL', 'postgres://db.example.org:5432'],
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

  it('vitals history keeps every reading 48 hours and minute aggregates 90 days unless told otherwise', () => {
    expect(loadConfig({}).vitalsRetention).toEqual({ rawHours: 48, keepDays: 90 });
    expect(loadConfig({ VITALS_RAW_HOURS: '6', VITALS_KEEP_DAYS: '30' }).vitalsRetention).toEqual({
      rawHours: 6,
      keepDays: 30,
    });
  });

  it('without DATABASE_URL the store is SQLite in DATA_DIR; with a postgres:// or postgresql:// URL it is that database', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    const url = 'postgres://cloud:s3cret@db.example.org:5432/eldercare?sslmode=require';
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: ' postgresql://db/eldercare ' }).databaseUrl).toBe(
      'postgresql://db/eldercare',
    );
  });

  it('a bad DATABASE_URL is refused without echoing the password in it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://cloud:hunter2hunter2@db.example.org' })).toThrow(
      /^DATABASE_URL (?!.*hunter2)/,
    );
  });

  it('without INFLUX_URL there is no InfluxDB copy; with it, org eldercare and bucket vitals are the defaults', () => {
    expect(loadConfig({}).influx).toBeUndefined();
    expect(loadConfig({ INFLUX_URL: 'http://127.0.0.1:8428/' }).influx).toEqual({
      url: 'http://127.0.0.1:8428',
      token: undefined,
      org: 'eldercare',
      bucket: 'vitals',
      spoolMaxPoints: 1_000_000,
    });
    expect(
      loadConfig({
        INFLUX_URL: 'https://tsdb.example.org/influx',
        INFLUX_TOKEN: 'tok==',
        INFLUX_ORG: '资阳',
        INFLUX_BUCKET: 'vitals-long',
        INFLUX_SPOOL_POINTS: '5000',
      }).influx,
    ).toEqual({
      url: 'https://tsdb.example.org/influx',
      token: 'tok==',
      org: '资阳',
      bucket: 'vitals-long',
      spoolMaxPoints: 5000,
    });
  });

  it.each([
    ['INFLUX_URL', 'http://admin:hunter2hunter2@influx.example.org:8086'],
    ['INFLUX_TOKEN', 'hunter2hunter2\r\nX-Evil: 1'],
    ['INFLUX_ORG', ' padded '],
    ['INFLUX_BUCKET', 'b\u0000'],
    ['INFLUX_SPOOL_POINTS', '10'],
  ])('a bad %s next to a good INFLUX_URL fails naming it, without echoing secrets', (name, value) => {
    const env = { INFLUX_URL: 'http://127.0.0.1:8086', [name]: value };
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(name);
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('the embedded Node-RED is off unless NODE_RED is 1', () => {
    expect(loadConfig({}).nodeRed).toBe(false);
    expect(loadConfig({ NODE_RED: '0' }).nodeRed).toBe(false);
    expect(loadConfig({ NODE_RED: '1' }).nodeRed).toBe(true);
  });

  it('a relative DATA_DIR is resolved against the working directory', () => {
    expect(loadConfig({ DATA_DIR: 'var/x' }, '/srv').dataDir).toBe('/srv/var/x');
  });

  it('without notification settings, push is the only channel: no SMTP, no webhook, local defaults', () => {
    expect(loadConfig({})).toMatchObject({
      publicUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'eldercare@localhost',
      webhookSecret: undefined,
      vapidSubject: 'mailto:admin@localhost',
    });
  });

  it('notification settings are taken as given, with the trailing slash of PUBLIC_URL dropped', () => {
    const c = loadConfig({
      PUBLIC_URL: 'https://care.example.org/ziyang/',
      SMTP_URL: 'smtps://alerts%40care:p%40ss@mail.example.org:465',
      MAIL_FROM: '颐养通知 <alerts@care.example.org>',
      WEBHOOK_SECRET: 'a-secret-of-sixteen+',
      VAPID_SUBJECT: 'https://care.example.org/contact',
    });
    expect(c).toMatchObject({
      publicUrl: 'https://care.example.org/ziyang',
      smtpUrl: 'smtps://alerts%40care:p%40ss@mail.example.org:465',
      mailFrom: '颐养通知 <alerts@care.example.org>',
      webhookSecret: 'a-secret-of-sixteen+',
      vapidSubject: 'https://care.example.org/contact',
    });
  });

  it('a bad SMTP_URL is reported without echoing its password', () => {
    expect(() => loadConfig({ SMTP_URL: 'ftp://user:hunter2hunter2@mail' })).toThrow(/^SMTP_URL /);
    try {
      loadConfig({ SMTP_URL: 'ftp://user:hunter2hunter2@mail' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('TLS needs both a readable certificate and key, and the WebSocket path must not collide with the API', () => {
    expect(() => loadConfig({ TLS_CERT: '/nonexistent/cert.pem' })).toThrow(
      /^TLS_CERT is not a readable file/,
    );
    expect(() => loadConfig({ TLS_KEY: 'package.json' }, process.cwd())).toThrow(
      /^TLS_CERT must be set together with TLS_KEY/,
    );
    const tls = loadConfig({ TLS_CERT: 'package.json', TLS_KEY: 'package.json' }, process.cwd()).tls;
    expect(tls?.mqttsPort).toBe(8883);
    expect(loadConfig({}).mqttWsPath).toBe('/mqtt');
    expect(() => loadConfig({ MQTT_WS_PATH: '/api/mqtt' })).toThrow(/^MQTT_WS_PATH/);
  });

  it('the MQTT packet cap defaults to 128 KiB and refuses values too small for a CONNECT or beyond MQTT', () => {
    expect(loadConfig({}).mqttMaxPacketBytes).toBe(128 * 1024);
    expect(loadConfig({ MQTT_MAX_PACKET_BYTES: '4096' }).mqttMaxPacketBytes).toBe(4096);
    expect(() => loadConfig({ MQTT_MAX_PACKET_BYTES: '100' })).toThrow(
      /^MQTT_MAX_PACKET_BYTES must be from 1024/,
    );
    expect(() => loadConfig({ MQTT_MAX_PACKET_BYTES: '1e6' })).toThrow(/^MQTT_MAX_PACKET_BYTES/);
    expect(() => loadConfig({ MQTT_MAX_PACKET_BYTES: '300000000' })).toThrow(/^MQTT_MAX_PACKET_BYTES/);
  });

  it('a cloud pointed at a cluster broker needs Redis for revocations and the shared service password', () => {
    expect(loadConfig({}).cluster).toEqual({
      redisUrl: undefined,
      brokerUrl: undefined,
      servicePassword: undefined,
      cloudId: 'cloud-1',
    });
    const pw = 'a-service-password-of-24c';
    expect(() => loadConfig({ BROKER_URL: 'mqtt://b:1883', MQTT_SERVICE_PASSWORD: pw })).toThrow(
      /^REDIS_URL /,
    );
    expect(() => loadConfig({ BROKER_URL: 'mqtt://b:1883', REDIS_URL: 'redis://r:6379' })).toThrow(
      /^MQTT_SERVICE_PASSWORD /,
    );
    expect(() => loadConfig({ BROKER_URL: 'http://b', REDIS_URL: 'redis://r:6379' })).toThrow(/^BROKER_URL /);
    expect(
      loadConfig({ BROKER_URL: 'mqtt://b:1883', REDIS_URL: 'redis://r:6379', MQTT_SERVICE_PASSWORD: pw })
        .cluster,
    ).toEqual({
      redisUrl: 'redis://r:6379',
      brokerUrl: 'mqtt://b:1883',
      servicePassword: pw,
      cloudId: 'cloud-1',
    });
    expect(loadConfig({ CLOUD_ID: 'cloud-2' }).cluster.cloudId).toBe('cloud-2');
    expect(() => loadConfig({ CLOUD_ID: 'cloud 2' })).toThrow(/^CLOUD_ID /);
  });
});
