import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';

/** The application server's identity towards push services (RFC 8292). */
export interface VapidDetails {
  /** `mailto:` or `https:` URL a push service may contact about this sender. */
  subject: string;
  /** Uncompressed P-256 point, base64url: what browsers get as `applicationServerKey`. */
  publicKey: string;
  privateKey: string;
}

const FILE = 'vapid.json';
const B64URL = /^[A-Za-z0-9_-]+$/;

function read(path: string): { publicKey: string; privateKey: string } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const keys = JSON.parse(text) as { publicKey?: unknown; privateKey?: unknown };
  const { publicKey, privateKey } = keys;
  if (typeof publicKey !== 'string' || typeof privateKey !== 'string' || !B64URL.test(publicKey + privateKey))
    // Making new keys would silently orphan every subscription on every device: a person must decide.
    throw new Error(`${path} does not hold VAPID keys; restore it, or delete it to make new ones`);
  return { publicKey, privateKey };
}

function create(path: string): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  const text = `${JSON.stringify({ publicKey, privateKey, createdAt: new Date().toISOString() }, null, 2)}\n`;
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    return { publicKey, privateKey };
  } catch (err) {
    // Another caller (the route serving the public key) made them first: theirs are the keys.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return read(path) ?? { publicKey, privateKey };
    throw err;
  }
}

/**
 * The VAPID key pair in `DATA_DIR/vapid.json` (mode 0600), made on first start and reused after: browsers
 * bind each subscription to the public key, so new keys would end every family's subscriptions.
 */
export function loadOrCreateVapidKeys(dataDir: string, subject: string): VapidDetails {
  const path = join(dataDir, FILE);
  return { subject, ...(read(path) ?? create(path)) };
}

/** The key the family page passes to `pushManager.subscribe` (`applicationServerKey`). */
export function vapidPublicKey(dataDir: string): string {
  const path = join(dataDir, FILE);
  return (read(path) ?? create(path)).publicKey;
}
