import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

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
 * Hashes a password with scrypt: `scrypt$N$r$p$salt$hash` (base64url). Slow on purpose: a password a
 * person chose can be guessed, and each guess against a stolen hash must cost ~50 ms.
 */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/**
 * Hashes a gateway secret from `newSecret` (192 random bits): `sha256$salt$hash` (base64url). A slow hash
 * adds nothing against guessing 2^192 secrets, but it would make every gateway's CONNECT cost ~50 ms of
 * CPU: after a broker restart, a city's gateways would queue for minutes to log in again, their SOS held
 * at home meanwhile (docs/scaling.md). Never for passwords (`hashSecret`).
 */
export function hashGatewaySecret(secret: string): string {
  const salt = randomBytes(16);
  return ['sha256', salt.toString('base64url'), sha256(salt, secret).toString('base64url')].join('$');
}

const sha256 = (salt: Buffer, secret: string): Buffer =>
  createHash('sha256').update(salt).update(secret, 'utf8').digest();

/**
 * Verifies a secret against a stored hash of either scheme (`scrypt$…` from `hashSecret`, `sha256$…` from
 * `hashGatewaySecret`); false for a malformed hash, never throws for bad input.
 */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] === 'sha256') {
    const [, salt, hash] = parts;
    if (parts.length !== 3 || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = sha256(Buffer.from(salt, 'base64url'), secret);
    return key.length === expected.length && timingSafeEqual(key, expected);
  }
  const [scheme, n, r, p, salt, hash] = parts;
  if (scheme !== 'scrypt' || parts.length !== 6 || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Only costs `hashSecret` could have written: a malformed or hostile hash is a failed login, not a
  // thrown error or a minute of CPU.
  const sane =
    Number.isInteger(Math.log2(cost.N)) &&
    cost.N >= 2 &&
    cost.N <= 2 ** 20 &&
    Number.isInteger(cost.r) &&
    cost.r >= 1 &&
    cost.r <= 32 &&
    Number.isInteger(cost.p) &&
    cost.p >= 1 &&
    cost.p <= 16;
  if (!sane) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(secret, Buffer.from(salt, 'base64url'), cost).catch(() => null);
  return key !== null && key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new random secret of id characters (for gateways): 32 characters, ~190 bits. */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** A hash to compare against when a user does not exist, so timing does not tell who does. */
export const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
