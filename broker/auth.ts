import { createHash, timingSafeEqual } from 'node:crypto';
import { isId } from '../protocol/index.ts';
import type { Principal } from './acl.ts';

/** Checks a gateway's secret against the registry (which holds only its hash: cloud/domain/secrets.ts). */
export interface GatewayVerifier {
  verifyGateway(gatewayId: string, secret: string): Promise<boolean>;
}

/** Usernames of service accounts (the cloud) carry this prefix, which no gateway id can. */
export const SERVICE_PREFIX = 'svc:';

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'anonymous' | 'bad_credentials' };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Decides who a CONNECT is. Gateways: username = gateway id, password = its secret, verified by the
 * registry (a salted SHA-256 of the 192-bit secret; scrypt for gateways provisioned before that); a
 * verified secret is remembered as a SHA-256 digest so a reconnect storm does not read the registry again. Services: `svc:<name>` with a password given to the broker at start.
 */
export class ConnectAuthenticator {
  readonly #gateways: GatewayVerifier;
  readonly #services: Map<string, Buffer>;
  readonly #verified = new Map<string, Buffer>();

  constructor(gateways: GatewayVerifier, services: Record<string, string>) {
    this.#gateways = gateways;
    this.#services = new Map(Object.entries(services).map(([name, pw]) => [name, digest(pw)]));
  }

  async authenticate(username: string | undefined, password: Buffer | undefined): Promise<AuthResult> {
    if (!username || !password) return { ok: false, reason: 'anonymous' };
    const secret = password.toString('utf8');
    if (username.startsWith(SERVICE_PREFIX)) {
      const name = username.slice(SERVICE_PREFIX.length);
      const expected = this.#services.get(name);
      if (expected && timingSafeEqual(expected, digest(secret)))
        return { ok: true, principal: { kind: 'service', name } };
      return { ok: false, reason: 'bad_credentials' };
    }
    if (!isId(username)) return { ok: false, reason: 'bad_credentials' };
    const known = this.#verified.get(username);
    const given = digest(secret);
    if (known && timingSafeEqual(known, given))
      return { ok: true, principal: { kind: 'gateway', gatewayId: username } };
    if (!(await this.#gateways.verifyGateway(username, secret)))
      return { ok: false, reason: 'bad_credentials' };
    this.#verified.set(username, given);
    return { ok: true, principal: { kind: 'gateway', gatewayId: username } };
  }

  /** Forget a remembered secret (rotation, revocation). */
  forget(gatewayId: string): void {
    this.#verified.delete(gatewayId);
  }
}
