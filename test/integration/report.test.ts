import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJobReport } from '../../shared/local/commands/report';
import { loadReportData, renderReport, reportHtmlForJob, type ReportData } from '../../shared/report';
import { readJobTopics } from '../../shared/results';
import { browserTestsSkipped, launchChromium, watchProblems, type Chromium } from './support/browser';
import { readFixtureComments, sample, writeExport } from './support/exports';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

const OUTPUT = path.resolve(__dirname, '../../test-output/report');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const MALICIOUS_COMMENT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> Native birds need predator-free islands';
const MALICIOUS_TITLE = '<script>window.__pwned=3</script>Town & "birds"';

let harness: Harness;
const reports: Record<'biodiversity' | 'malicious' | 'large', { file: string; data: ReportData }> = {} as never;

function writeReport(name: keyof typeof reports, data: ReportData): void {
  const file = path.join(OUTPUT, `${name}.html`);
  writeFileSync(file, renderReport(data));
  reports[name] = { file, data };
}

/** 5,000 comments in Gaussian blobs, three nested layers: 40 → 10 → 4 topics. */
function largeReport(): ReportData {
  let state = 5;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 40 }, () => ({ x: random() * 20, y: random() * 14 }));
  const comments = Array.from({ length: 5000 }, (_, i) => {
    const fine = i % 41 === 40 ? -1 : i % 40;
    const centre = centres[i % 40];
    return {
      id: i,
      text: `Synthetic comment ${i} about theme ${i % 40}, with some more words to make it as long as a real one.`,
      x: Math.round((centre.x + gaussian() * 0.5) * 1e4) / 1e4,
      y: Math.round((centre.y + gaussian() * 0.5) * 1e4) / 1e4,
      labels: fine < 0 ? [-1, -1, -1] : [fine, fine % 10, fine % 4],
    };
  });
  const layers = [40, 10, 4].map((count, layer_id) => ({
    layer_id,
    topics: Array.from({ length: count }, (_, cluster_id) => {
      const members = comments.filter((comment) => comment.labels[layer_id] === cluster_id);
      return {
        key: `layer${layer_id}_${cluster_id}`,
        cluster_id,
        name: `Theme ${cluster_id} of layer ${layer_id}`,
        provider: 'keywords',
        model: 'noun-phrases-ctfidf-coverage',
        size: members.length,
        share: members.length / comments.length,
        keywords: ['theme', String(cluster_id)],
        centroid: {
          x: members.reduce((sum, c) => sum + c.x, 0) / members.length,
          y: members.reduce((sum, c) => sum + c.y, 0) / members.length,
        },
        representatives: members.slice(0, 3).map((c) => c.text),
        children: [],
      };
    }).sort((a, b) => b.size - a.size),
  }));
  return {
    job: { job_id: 'synthetic-5000', conversation_id: 'synthetic', status: 'COMPLETED', num_comments: 5000, has_votes: false, embedding: { provider: 'none' } },
    comments,
    layers,
  };
}

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  harness = await startHarness();
  const bio = await harness.pipeline.run({ conversation_id: 'scoop-hivemind.biodiversity', source: BIODIVERSITY }, { executionName: 'report-biodiversity' });
  expect(bio.status, `${bio.error}: ${bio.cause}`).toBe('SUCCEEDED');

  // A small export of real comments, one of them an attack, with an attack for a title.
  const folder = writeExport([...sample(readFixtureComments(BIODIVERSITY), 60), { id: 9999, body: MALICIOUS_COMMENT }], 'delphi-report-');
  writeFileSync(path.join(folder, 'summary.csv'), `topic,"${MALICIOUS_TITLE.replace(/"/g, '""')}"\n`);
  const malicious = await harness.pipeline.run({ conversation_id: 'malicious', source: folder }, { executionName: 'report-malicious' });
  expect(malicious.status, `${malicious.error}: ${malicious.cause}`).toBe('SUCCEEDED');

  writeReport('biodiversity', await loadReportData(harness.repository, 'pipeline_run_report-biodiversity'));
  writeReport('malicious', await loadReportData(harness.repository, 'pipeline_run_report-malicious'));
  writeReport('large', largeReport());
});

afterAll(async () => harness?.close());

describe('the report data of a job', () => {
  it('holds every comment with its text, UMAP position and cluster at every layer', async () => {
    const { data } = reports.biodiversity;
    const job = await harness.repository.requireJob('pipeline_run_report-biodiversity');
    const positions = await harness.repository.queryByJob('graph', 'pipeline_run_report-biodiversity');
    const assignments = await harness.repository.queryByJob('assignments', 'pipeline_run_report-biodiversity');
    expect(data.comments).toHaveLength(154);
    expect(data.job).toMatchObject({ num_comments: 154, title: 'Protecting and Restoring NZ’s Biodiversity', has_votes: true, moderated_out: 162 });
    expect(data.layers.map((layer) => layer.topics.length)).toEqual((job.cluster_layers as Array<{ num_clusters: number }>).map((layer) => layer.num_clusters));
    const node = positions.find((row) => row.source_id === data.comments[10].id && row.is_node)!;
    const assignment = assignments.find((row) => row.comment_id === data.comments[10].id)!;
    expect(data.comments[10].x).toBeCloseTo((node.position as { x: number }).x, 4);
    expect(data.comments[10].labels).toEqual(data.layers.map((layer) => assignment[`layer${layer.layer_id}_cluster_id`]));
    expect(data.comments.every((comment) => comment.votes && comment.text.length > 0)).toBe(true);
  });

  it('lists the topics readJobTopics reads, largest first, with names, keywords, representatives and votes', async () => {
    const { data } = reports.biodiversity;
    const { layers } = await readJobTopics(harness.repository, 'pipeline_run_report-biodiversity');
    expect(data.layers.map((layer) => layer.topics.map((topic) => [topic.key, topic.name, topic.size]))).toEqual(
      layers.map((layer) => layer.topics.map((topic) => [topic.cluster_key, topic.topic_name, topic.size])),
    );
    for (const topic of data.layers.flatMap((layer) => layer.topics)) {
      expect(topic).toMatchObject({ provider: 'keywords', model: 'noun-phrases-ctfidf-coverage' });
      expect(topic.keywords.length).toBeGreaterThan(0);
      expect(topic.representatives.length).toBeGreaterThan(0);
      expect(topic.votes?.total_votes).toBeGreaterThan(0);
      const members = data.comments.filter((comment) => comment.labels[Number(topic.key.match(/^layer(\d+)/)![1])] === topic.cluster_id);
      expect(members).toHaveLength(topic.size);
    }
  });

  it('carries the quality figures of the job', () => {
    expect(reports.biodiversity.data.job.quality?.map((layer) => layer.layer_id)).toEqual(reports.biodiversity.data.layers.map((layer) => layer.layer_id));
  });

  it('is written by `delphi report` to the file asked for', async () => {
    const file = await writeJobReport(harness.repository, 'pipeline_run_report-biodiversity', path.join(OUTPUT, 'cli', 'bio.html'));
    expect(file).toBe(path.join(OUTPUT, 'cli', 'bio.html'));
    expect(readFileSync(file, 'utf8')).toBe(renderReport(reports.biodiversity.data));
  });

  it('says why a failed job has no map, and refuses an unknown job', async () => {
    const folder = writeExport([{ id: 1, body: 'only one comment' }], 'delphi-report-failed-');
    writeFileSync(path.join(folder, 'comments.csv'), 'comment-id,author-id\n1,2\n');
    const outcome = await harness.pipeline.run({ conversation_id: 'broken', source: folder }, { executionName: 'report-broken' });
    expect(outcome.status).toBe('FAILED');
    const html = await reportHtmlForJob(harness.repository, 'pipeline_run_report-broken');
    expect(html).toContain('This job is FAILED: the map appears once it has completed.');
    expect(html).toMatch(/Embed failed with InvalidInputError: comments.csv is missing column/);
    await expect(reportHtmlForJob(harness.repository, 'no-such-job')).rejects.toMatchObject({ name: 'JobNotFoundError' });
  });
});

describe.skipIf(browserTestsSkipped)('the report in headless Chromium', () => {
  let browser: Chromium;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(name: keyof typeof reports, viewport = DESKTOP) {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    const problems = watchProblems(page);
    await page.goto(pathToFileURL(reports[name].file).href);
    await page.waitForFunction(() => Number(document.getElementById('map')?.dataset.points) > 0);
    return { page, problems, map: page.locator('#map') };
  }

  const topicCount = (page: Page) => page.locator('#topics > li.topic').count();

  it('loads without errors and draws one point per comment, with the job in its header', async () => {
    const { page, problems, map } = await open('biodiversity');
    const { data } = reports.biodiversity;
    expect(await map.getAttribute('data-points')).toBe('154');
    expect(await page.locator('h1').textContent()).toBe('Protecting and Restoring NZ’s Biodiversity');
    expect(await page.locator('#job-id').textContent()).toBe('pipeline_run_report-biodiversity');
    expect(await page.locator('.report-header').textContent()).toMatch(/154 comments \(162 moderated out\).*with votes/);
    expect(await page.locator('#quality tbody tr').count()).toBe(data.layers.length);
    // The coarsest layer is shown first, its topics largest first.
    const coarse = data.layers[data.layers.length - 1];
    expect(await map.getAttribute('data-layer')).toBe(String(coarse.layer_id));
    expect(await page.locator('#topics .topic-name').allTextContents()).toEqual(coarse.topics.map((topic) => topic.name));
    expect(Number(await map.getAttribute('data-labels'))).toBe(coarse.topics.length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('switches layers, listing each layer’s topics (screenshots of every layer)', async () => {
    const { page, problems, map } = await open('biodiversity');
    const { data } = reports.biodiversity;
    const counts: number[] = [];
    for (const [index, layer] of data.layers.entries()) {
      await page.click(`#layer-switch button[data-layer="${index}"]`);
      expect(await map.getAttribute('data-layer')).toBe(String(layer.layer_id));
      expect(await topicCount(page)).toBe(layer.topics.length);
      expect(await map.getAttribute('data-points')).toBe('154');
      counts.push(await topicCount(page));
      await page.screenshot({ path: path.join(OUTPUT, `biodiversity-layer${layer.layer_id}-1280x800.png`) });
    }
    expect(new Set(counts).size).toBeGreaterThan(1);
    expect(problems).toEqual([]);
    await page.close();

    const phone = await open('biodiversity', PHONE);
    expect(await topicCount(phone.page)).toBe(data.layers[data.layers.length - 1].topics.length);
    await phone.page.click('#topics > li.topic:first-child .topic-head');
    await phone.page.screenshot({ path: path.join(OUTPUT, 'biodiversity-coarse-390x844.png'), fullPage: true });
    expect(phone.problems).toEqual([]);
    await phone.page.close();
  });

  it('shows a comment’s text when the pointer is on its point', async () => {
    const { page, problems } = await open('biodiversity');
    const { data } = reports.biodiversity;
    // A comment no other point covers.
    const index = data.comments.findIndex((c, i) => data.comments.every((o, j) => j === i || Math.hypot(o.x - c.x, o.y - c.y) > 0.3));
    const position = await page.evaluate((i) => (window as never as { delphiReport: { commentPosition(i: number): { x: number; y: number } } }).delphiReport.commentPosition(i), index);
    await page.mouse.move(position.x, position.y);
    await expect.poll(() => page.locator('#tooltip .tooltip-text').textContent()).toBe(data.comments[index].text);
    expect(await page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip .tooltip-votes').textContent()).toMatch(/^\d+ agree · \d+ disagree · \d+ pass$/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('highlights a topic clicked in the panel or on the map, and opens its details', async () => {
    const { page, problems, map } = await open('biodiversity');
    const coarse = reports.biodiversity.data.layers[reports.biodiversity.data.layers.length - 1];
    const [first, second] = coarse.topics;

    await page.click('#topics > li.topic:first-child .topic-head');
    const item = page.locator(`#topics > li.topic[data-key="${first.key}"]`);
    expect(await item.getAttribute('class')).toContain('selected');
    expect(await map.getAttribute('data-selected')).toBe(first.key);
    expect(await map.getAttribute('data-highlighted')).toBe(String(first.size));
    expect(await item.locator('.topic-details').isVisible()).toBe(true);
    expect(await item.locator('.representatives li').first().textContent()).toBe(first.representatives[0]);
    expect(await item.locator('.vote-figures').first().textContent()).toMatch(/% agree · .*% disagree · .*% pass · [\d,]+ votes/);
    await page.screenshot({ path: path.join(OUTPUT, 'biodiversity-selected-1280x800.png') });

    const label = await page.evaluate((key) => (window as never as { delphiReport: { labelPosition(key: string): { x: number; y: number } } }).delphiReport.labelPosition(key), second.key);
    await page.mouse.click(label.x, label.y);
    expect(await map.getAttribute('data-selected')).toBe(second.key);
    expect(await map.getAttribute('data-highlighted')).toBe(String(second.size));
    expect(await page.locator('#topics > li.topic.selected').count()).toBe(1);
    expect(await page.locator(`#topics > li.topic[data-key="${second.key}"]`).getAttribute('class')).toContain('selected');

    await page.keyboard.press('Escape');
    expect(await map.getAttribute('data-highlighted')).toBe('0');
    expect(await page.locator('#topics > li.topic.selected').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a malicious comment and title as text and runs none of it', async () => {
    const { page, problems, map } = await open('malicious');
    const { data } = reports.malicious;
    expect(await map.getAttribute('data-points')).toBe(String(data.comments.length));
    expect(await page.locator('h1').textContent()).toBe(MALICIOUS_TITLE);
    const index = data.comments.findIndex((comment) => comment.id === 9999);
    expect(data.comments[index].text).toBe(MALICIOUS_COMMENT);
    const position = await page.evaluate((i) => (window as never as { delphiReport: { commentPosition(i: number): { x: number; y: number } } }).delphiReport.commentPosition(i), index);
    await page.mouse.move(position.x, position.y);
    await expect.poll(() => page.locator('#tooltip .tooltip-text').textContent()).toBe(MALICIOUS_COMMENT);
    await page.screenshot({ path: path.join(OUTPUT, 'malicious-1280x800.png') });
    expect(await page.evaluate(() => (window as never as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws 5,000 comments, switches layers and zooms with labels (the frame time is printed, not asserted)', async () => {
    const { page, problems, map } = await open('large');
    expect(await map.getAttribute('data-points')).toBe('5000');
    await page.click('#layer-switch button[data-layer="0"]');
    expect(await topicCount(page)).toBe(40);
    const drawMs = Number(await map.getAttribute('data-draw-ms'));
    expect(Number.isFinite(drawMs) && drawMs >= 0).toBe(true);
    await page.mouse.move(640, 450);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => Number(await map.getAttribute('data-labels'))).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(OUTPUT, `large-5000-layer0-1280x800.png`) });
    expect(problems).toEqual([]);
    console.log(`5,000 comments: one frame drawn in ${drawMs} ms (fine layer, 40 topics)`);
    await page.close();
  });
});
