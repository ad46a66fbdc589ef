/**
 * Polis's opinion groups through the whole pipeline: the bundled Klimarat export
 * (austria-climate.wohnen-trimmed) has a group-id per participant in participants-votes.csv. Its
 * topics get each group's votes, Polis's group-informed consensus and a division rank, in the
 * features rows, the API's topics view and the report; the same export without group-id runs as
 * before and says "no opinion groups".
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { groupInformedConsensus, type GroupTallies } from '../../shared/algorithms/groups';
import { topicsView } from '../../shared/api/views';
import { printSummary } from '../../shared/local/summary';
import { loadReportData, renderReport } from '../../shared/report';
import { readJobTopics } from '../../shared/results';
import { browserTestsSkipped, launchChromium, watchProblems } from './support/browser';
import { FIXTURES, startHarness, type Harness } from './support/harness';

const KLIMARAT = path.join(FIXTURES, 'austria-climate.wohnen-trimmed');
const GROUPED = 'pipeline_run_groups-klimarat';
const UNGROUPED = 'pipeline_run_groups-klimarat-no-group-id';

let harness: Harness;

/** The same export with participants-votes.csv's group-id column removed. */
function withoutGroupIds(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'delphi-no-groups-'));
  cpSync(KLIMARAT, folder, { recursive: true });
  const file = path.join(folder, 'participants-votes.csv');
  const rows: string[][] = parse(readFileSync(file, 'utf8'));
  const column = rows[0].indexOf('group-id');
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  writeFileSync(file, rows.map((row) => row.filter((_, i) => i !== column).map(cell).join(',')).join('\n'));
  return folder;
}

beforeAll(async () => {
  harness = await startHarness();
  for (const [source, executionName] of [[KLIMARAT, 'groups-klimarat'], [withoutGroupIds(), 'groups-klimarat-no-group-id']]) {
    const outcome = await harness.pipeline.run({ conversation_id: 'klimarat-wohnen', source }, { executionName });
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
  }
}, 180_000);

afterAll(async () => harness?.close());

/** What `delphi show` prints for a job. */
async function shown(jobId: string): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await printSummary(harness.repository, jobId);
  } finally {
    log.mockRestore();
  }
  return lines.join('\n');
}

describe('a conversation with opinion groups', () => {
  it("stores each topic's group votes, consistent with its comments' group tallies, and ranks the topics of a layer by division", async () => {
    const [job, features, embeddings, assignments] = await Promise.all([
      harness.repository.requireJob(GROUPED),
      harness.repository.queryByJob('features', GROUPED),
      harness.repository.queryByJob('embeddings', GROUPED),
      harness.repository.queryByJob('assignments', GROUPED),
    ]);
    expect(job.opinion_groups).toBe(2);
    expect(job.steps?.ComputeFeatures?.opinion_groups).toBe(2);
    const tallies = new Map(embeddings.map((row) => [row.comment_id, row.group_votes as GroupTallies]));
    const byLayer = new Map<number, number[]>();
    for (const row of features) {
      const groups = row.group_votes!;
      expect(groups.groups.map((group) => group.group_id)).toEqual([0, 1]);
      // The topic's group totals are the sums over its comments; the consensus their mean.
      const members = assignments.filter((a) => a[`layer${row.layer_id}_cluster_id`] === row.cluster_id).map((a) => a.comment_id);
      expect(members).toHaveLength(row.size);
      const voted = members.filter((id) => tallies.get(id));
      for (const group of groups.groups) {
        const agree = voted.reduce((sum, id) => sum + tallies.get(id)![group.group_id].agree, 0);
        expect(group.agree).toBe(agree);
      }
      const mean = voted.reduce((sum, id) => sum + groupInformedConsensus(tallies.get(id)!), 0) / voted.length;
      expect(groups.consensus).toBeCloseTo(mean, 5);
      expect(members).toContain(groups.consensus_comment_id);
      const [a, b] = groups.groups;
      expect(groups.agree_spread).toBeCloseTo(Math.abs(a.agree_rate - b.agree_rate), 5);
      // Grouped participants' votes are some of all votes.
      expect(a.total_votes + b.total_votes).toBeLessThanOrEqual(row.votes!.total_votes);
      byLayer.set(row.layer_id, [...(byLayer.get(row.layer_id) ?? []), groups.division_rank]);
    }
    for (const ranks of byLayer.values()) expect(ranks.sort((x, y) => x - y)).toEqual(ranks.map((_, i) => i + 1));
    const topicsOfLayer = (layer: number) => features.filter((row) => row.layer_id === layer);
    const mostDividing = topicsOfLayer(0).find((row) => row.group_votes!.division_rank === 1)!;
    expect(Math.max(...topicsOfLayer(0).map((row) => row.group_votes!.agree_spread))).toBe(mostDividing.group_votes!.agree_spread);
  });

  it('shows them in `delphi show`', async () => {
    const text = await shown(GROUPED);
    expect(text).toMatch(/^votes {12}yes {2}2 opinion groups$/m);
    expect(text).toMatch(/^ {8}groups agree A \d+% · B \d+%; group-informed consensus \d\.\d\d, dividing rank \d+$/m);
  });

  it('shows them in the API topics view', async () => {
    const view = topicsView(await readJobTopics(harness.repository, GROUPED), 'http://localhost');
    expect(view.opinion_groups).toBe(2);
    const topic = view.layers[0].topics[0];
    expect(topic.features.group_votes).toMatchObject({ groups: [{ group_id: 0 }, { group_id: 1 }], division_rank: expect.any(Number) });
  });

  it.skipIf(browserTestsSkipped)('shows a bar per group in the report', async () => {
    const data = await loadReportData(harness.repository, GROUPED);
    expect(data.job.opinion_groups).toBe(2);
    const folder = mkdtempSync(path.join(tmpdir(), 'delphi-groups-report-'));
    const file = path.join(folder, 'report.html');
    writeFileSync(file, renderReport(data));
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems = watchProblems(page);
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => Number(document.getElementById('map')?.dataset.points) > 0);
      expect(await page.locator('.report-header').textContent()).toMatch(/2 opinion groups/);
      await page.click('#topics > li.topic:first-child .topic-head');
      const item = page.locator('#topics > li.topic:first-child');
      expect(await item.locator('.group-votes li .group-name').allTextContents()).toEqual(['Group A', 'Group B']);
      expect(await item.locator('.group-votes li .vote-bar').count()).toBe(2);
      expect(await item.locator('.group-summary').textContent()).toMatch(/^group-informed consensus \d\.\d\d · agree rates \d\.\d\d apart · (most dividing|dividing rank \d+) of \d+$/);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('the same conversation without group-id', () => {
  it('has the same features rows but for the group votes, and says there are no opinion groups', async () => {
    const strip = (rows: Array<Record<string, unknown>>) =>
      rows.map(({ job_id: _job, group_votes: _groups, topic_uid: _uid, ...rest }) => rest);
    const [grouped, ungrouped, job] = await Promise.all([
      harness.repository.queryByJob('features', GROUPED),
      harness.repository.queryByJob('features', UNGROUPED),
      harness.repository.requireJob(UNGROUPED),
    ]);
    expect(ungrouped.some((row) => row.group_votes !== undefined)).toBe(false);
    expect(strip(ungrouped)).toEqual(strip(grouped));
    expect(job.opinion_groups).toBeUndefined();
    expect(job.warnings?.join('\n')).toMatch(/no opinion groups/);
    expect(topicsView(await readJobTopics(harness.repository, UNGROUPED), 'http://localhost').opinion_groups).toBe(0);
    const data = await loadReportData(harness.repository, UNGROUPED);
    expect(data.layers.flatMap((layer) => layer.topics).some((topic) => topic.groups)).toBe(false);
    expect(renderReport(data)).toMatch(/no opinion groups/);
    const text = await shown(UNGROUPED);
    expect(text).toMatch(/^votes {12}yes {2}no opinion groups$/m);
    expect(text).not.toMatch(/groups agree/);
  });
});
