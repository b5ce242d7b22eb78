import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian packages the tests need, keyed by the file that shows each is installed. */
export const PACKAGES = {
  chromium: '/usr/bin/chromium',
  socat: '/usr/bin/socat',
  'redis-server': '/usr/bin/redis-server',
  // CJK glyphs, so screenshots of Chinese names and addresses are readable.
  'fonts-wqy-zenhei': '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  // The server itself lives under /usr/lib/postgresql/<major>; this file comes with any major.
  postgresql: '/usr/share/postgresql-common/pg_wrapper',
  // A time-series database that accepts the InfluxDB v2 write API (Debian's influxdb 1.x does not).
  'victoria-metrics': '/usr/bin/victoria-metrics',
  // The reference broker `npm run bench` measures beside ours (bench/mosquitto.ts).
  mosquitto: '/usr/sbin/mosquitto',
} as const;
export type DebianPackage = keyof typeof PACKAGES;

let updated = false;

/**
 * Makes sure the named Debian packages are installed: installs them with apt-get when running as root
 * (CI does), otherwise stops with a message naming them. Never skips silently.
 */
export function ensureDebianPackages(...names: DebianPackage[]): void {
  const missing = names.filter((n) => !existsSync(PACKAGES[n]));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `these tests need Debian packages that are missing: ${missing.join(' ')} (sudo apt-get install ${missing.join(' ')})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Test files run in parallel workers: wait for another worker's apt-get instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  if (!updated) {
    aptGet([...lock, 'update'], env);
    updated = true;
  }
  aptGet([...lock, 'install', '-y', '--no-install-recommends', ...missing], env);
  const still = missing.filter((n) => !existsSync(PACKAGES[n]));
  if (still.length > 0) throw new Error(`apt-get could not install: ${still.join(' ')}`);
}

/** apt-get, retried while another process holds a lock it does not wait for (`update`'s lists lock). */
function aptGet(args: string[], env: NodeJS.ProcessEnv): void {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('apt-get', args, { stdio: 'ignore', env, timeout: 900_000 });
      return;
    } catch (err) {
      if (attempt >= 30) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
    }
  }
}
