import { type DebianPackage, ensureDebianPackages, PACKAGES } from './debian.ts';

/**
 * Before any test file: every Debian package the suite needs is installed (as root, with apt-get) or the run
 * stops with a message naming the missing ones. Once, up front, so no test waits on apt inside its own hook
 * timeout while other workers hold the package lock.
 */
export function setup(): void {
  ensureDebianPackages(...(Object.keys(PACKAGES) as DebianPackage[]));
}
