/**
 * `npm run docs:screenshot` — remakes docs/report.png, the README's picture of the report, from a real
 * run: the whole pipeline on the bundled conversation (a throwaway data folder, offline providers),
 * its report opened in Debian's Chromium at 1280 × 800, the coarsest layer's largest topic selected.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/integration/support/browser';

const ROOT = path.resolve(__dirname, '..');
const OUTPUT = path.join(ROOT, 'docs', 'report.png');

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'delphi-screenshot-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'shared/local/cli.ts'), 'run'], {
      cwd: ROOT,
      env: { ...process.env, DELPHI_DATA_DIR: dataDir, DYNAMODB_ENDPOINT: '' },
      encoding: 'utf8',
    });
    const report = /Report: (\S+\.html)/.exec(run.stdout)?.[1];
    if (run.status !== 0 || !report) throw new Error(`delphi run failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(pathToFileURL(path.resolve(ROOT, report)).href);
      await page.waitForFunction(() => Number(document.getElementById('map')?.dataset.points) > 0);
      await page.click('#topics > li.topic:first-child .topic-head');
      await page.screenshot({ path: OUTPUT });
    } finally {
      await browser.close();
    }
    console.log(`wrote ${path.relative(ROOT, OUTPUT)} from ${path.relative(ROOT, path.resolve(ROOT, report))}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
