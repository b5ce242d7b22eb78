import { existsSync, readdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the dashboard lives and what the cloud serves: the Vite build, or the old no-build page without one. */
export const DASHBOARD_DIR = import.meta.dirname;
export const DIST_DIR = join(DASHBOARD_DIR, 'dist');
export const CONFIG_FILE = join(DASHBOARD_DIR, 'vite.config.ts');
const SOURCES = [
  join(DASHBOARD_DIR, 'src'),
  join(DASHBOARD_DIR, 'index.html'),
  join(DASHBOARD_DIR, 'family.html'),
  join(DASHBOARD_DIR, 'static'),
  CONFIG_FILE,
  join(DASHBOARD_DIR, '..', 'protocol'),
];

/** Both pages: a build from before the family page existed counts as none. */
export function isBuilt(): boolean {
  return existsSync(join(DIST_DIR, 'index.html')) && existsSync(join(DIST_DIR, 'family.html'));
}

function newestMtime(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** True when a source file changed after the build was made (or there is no build). */
export function isStale(): boolean {
  if (!isBuilt()) return true;
  const built = statSync(join(DIST_DIR, 'index.html')).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

/**
 * Builds into a directory of its own and renames it into place, so a half-written build is never
 * served and parallel starts (test workers) cannot empty each other's output. With `replace` an
 * existing build is swapped out; without it the first finished build wins.
 */
export async function buildDashboard(options: { replace?: boolean } = {}): Promise<void> {
  const { build } = await import('vite');
  const staging = join(DASHBOARD_DIR, `.dist-${process.pid}-${Date.now()}`);
  // Vite sets NODE_ENV for the whole process when it is unset; the server must not inherit that.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await build({ configFile: CONFIG_FILE, logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const old = `${staging}-old`;
  try {
    if (options.replace && existsSync(DIST_DIR)) await rename(DIST_DIR, old).catch(() => {});
    await rename(staging, DIST_DIR);
  } catch {
    // Another process put its build in place first; theirs is as good as ours.
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

/**
 * Makes sure there is a build: when it is missing, or (with `whenStale`) older than its sources.
 * Resolves to what it did.
 */
export async function ensureDashboard(options: { whenStale?: boolean } = {}): Promise<'present' | 'built'> {
  const needed = options.whenStale ? isStale() : !isBuilt();
  if (!needed) return 'present';
  // A build missing a page must be swapped out too, or the first finished build (the old one) would win.
  await buildDashboard({ replace: options.whenStale === true || existsSync(DIST_DIR) });
  return 'built';
}
