import { type Browser, chromium, type Page } from 'playwright-core';
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

/** Signs in to the dispatch dashboard at `baseUrl` through its form and waits for the alert queue. */
export async function signInDashboard(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
): Promise<Page> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('alert-queue').waitFor();
  return page;
}
