import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashGatewaySecret, hashSecret, newSecret, verifySecret } from './secrets.ts';

describe('secrets at rest', () => {
  it('a gateway secret is stored as a salted SHA-256 that verifies only the same secret', async () => {
    const secret = newSecret();
    const stored = hashGatewaySecret(secret);
    expect(stored).toMatch(/^sha256\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
    expect(await verifySecret(newSecret(), stored)).toBe(false);
    // Salted: the same secret hashed twice gives two different strings, both valid.
    const again = hashGatewaySecret(secret);
    expect(again).not.toBe(stored);
    expect(await verifySecret(secret, again)).toBe(true);
  });

  it('a password is stored with scrypt, and gateways provisioned before SHA-256 (scrypt hashes) still verify', async () => {
    const stored = await hashSecret('correct horse battery staple');
    expect(stored.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifySecret('correct horse battery staple', stored)).toBe(true);
    expect(await verifySecret('correct horse battery stapl', stored)).toBe(false);
  });

  it('any secret against any stored string answers true or false and never throws', async () => {
    const stored = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.constantFrom('sha256', 'scrypt', 'md5', ''), fc.array(fc.string(), { maxLength: 6 }))
        .map(([scheme, parts]) => [scheme, ...parts].join('$')),
      fc.constant(hashGatewaySecret('known')),
    );
    await fc.assert(
      fc.asyncProperty(fc.string(), stored, async (secret, hash) => {
        const ok = await verifySecret(secret, hash);
        expect(typeof ok).toBe('boolean');
        if (ok) expect(hash.startsWith('sha256$')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
