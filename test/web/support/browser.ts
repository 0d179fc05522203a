import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Browser tests need Debian's Chromium; without it they are skipped on a developer's machine, but
 * never under CI (`.ci/run` installs it), where a missing browser must fail the run.
 */
export const browserMissing = !existsSync(CHROMIUM) && !process.env.CI;

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps trying to reach outside hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** Saves the whole page at both sizes as `<name>-<lang>-1280x800.png` and `<name>-<lang>-390x844.png`. */
export async function screenshots(page: Page, name: string, lang: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const size of Object.values(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${lang}-${size.width}x${size.height}.png`), fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}
