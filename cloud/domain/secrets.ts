import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * Hashes a password or gateway secret with scrypt: `scrypt$N$r$p$salt$hash` (base64url). `n` lowers the
 * cost for simulated fleets only (`npm run sim -- provision`); verification reads the cost from the hash.
 */
export async function hashSecret(secret: string, n: number = PARAMS.N): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, { ...PARAMS, N: n });
  return ['scrypt', n, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Verifies a secret against a stored hash; false for a malformed hash, never throws for bad input. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new random secret of id characters (for gateways): 32 characters, ~190 bits. */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** A hash to compare against when a user does not exist, so timing does not tell who does. */
export const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
