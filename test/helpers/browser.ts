/**
 * Headless Chromium for the HTML report's browser tests, driven by playwright-core. The browser is
 * Debian's `chromium` ($CREDSWEEP_CHROMIUM, set by `npm test`; /usr/bin/chromium otherwise). A missing
 * browser fails the test: tests never skip.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH =
  process.env.CREDSWEEP_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: the HTML report's browser tests need it (apt-get install chromium, or set CREDSWEEP_CHROMIUM)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
