/**
 * Real headless Chromium for browser tests: Debian's `chromium` package (`.ci/run` installs it with
 * apt-get) driven by playwright-core — no browser download. Each launch gets a fresh profile folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests run when Chromium is installed, and always in CI (where a missing Chromium must
 * fail, not skip). Elsewhere they are skipped with this message.
 */
export const browserTestsSkipped = !existsSync(CHROMIUM) && !process.env.CI;
if (browserTestsSkipped) {
  console.warn(`Skipping browser tests: ${CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH). In CI they run.`);
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does: apt-get install -y chromium)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'delphi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What went wrong on a page: console errors, uncaught exceptions, and any request that left the file. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (!/^(file|data):/.test(request.url())) problems.push(`network request: ${request.url()}`);
  });
  return problems;
}
