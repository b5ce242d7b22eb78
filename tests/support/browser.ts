import { type Browser, chromium } from 'playwright-core';
import { ensureDebianPackages, PACKAGES } from './debian.ts';

/** Debian's headless Chromium (Playwright gives it a fresh temp profile), with the flags this closed network needs (no background connections). */
export async function launchChromium(): Promise<Browser> {
  ensureDebianPackages('chromium', 'fonts-wqy-zenhei');
  return chromium.launch({
    executablePath: PACKAGES.chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
