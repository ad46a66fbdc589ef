import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignColors, PALETTE } from '../../shared/report/client/colors';
import { layerHeading, layerName } from '../../shared/report/client/format';
import { boxOf, overlaps, placeLabels, wrapLabel, type LabelRequest } from '../../shared/report/client/labels';
import { bundleClientScript } from '../../shared/report/build';
import { CLIENT_SCRIPT } from '../../shared/report/clientScript.generated';
import { readQuality, renderReport, type ReportData } from '../../shared/report';

const HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><!--';

function reportData(overrides: Partial<ReportData['job']> = {}): ReportData {
  return {
    job: {
      job_id: 'job-1',
      conversation_id: 'town-hall',
      status: 'COMPLETED',
      title: `Budget ${HOSTILE} & "plans"`,
      url: 'https://pol.is/abc',
      completed_at: '2026-11-27T17:25:21.973Z',
      num_comments: 3,
      has_votes: true,
      embedding: { provider: 'lsa', model: 'lsa-tfidf-svd-100' },
      quality: [
        { layer_id: 0, clusters: 2, noise_share: 0.25, silhouette: -0.05, diversity: 0.9, coherence: -0.3 },
        { layer_id: 1, clusters: 1, noise_share: 0.25, silhouette: 0, diversity: 1, coherence: 0.1 },
      ],
      ...overrides,
    },
    comments: [
      { id: 1, text: HOSTILE, x: 0, y: 0, labels: [0, 0], votes: { agree: 3, disagree: 1, pass: 0 } },
      { id: 2, text: 'Bike lanes \u2028 need paint', x: 1, y: 1, labels: [1, 0] },
      { id: 3, text: 'Trees & <b>parks</b>', x: 2, y: 0, labels: [-1, -1] },
    ],
    layers: [
      {
        layer_id: 0,
        topics: [
          { key: 'layer0_0', cluster_id: 0, name: `Scripts ${HOSTILE}`, provider: 'keywords', model: 'noun-phrases-ctfidf-coverage', size: 1, share: 1 / 3, keywords: ['<script>'], centroid: { x: 0, y: 0 }, representatives: [HOSTILE], parent: 'layer1_0', children: [] },
          { key: 'layer0_1', cluster_id: 1, name: 'Bike lanes', provider: 'keywords', model: 'noun-phrases-ctfidf-coverage', size: 1, share: 1 / 3, keywords: ['bike'], centroid: { x: 1, y: 1 }, representatives: [], parent: 'layer1_0', children: [] },
        ],
      },
      {
        layer_id: 1,
        topics: [
          { key: 'layer1_0', cluster_id: 0, name: 'Town', provider: 'keywords', model: 'noun-phrases-ctfidf-coverage', size: 2, share: 2 / 3, keywords: ['town'], centroid: { x: 0.5, y: 0.5 }, representatives: [], children: ['layer0_0', 'layer0_1'] },
        ],
      },
    ],
  };
}

const inlineBlocks = (html: string, tag: 'script' | 'style') =>
  [...html.matchAll(new RegExp(`<${tag}([^>]*)>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => ({ attributes: match[1], body: match[2] }));

describe('renderReport', () => {
  it('embeds the data as JSON that no comment can break out of, and reads back unchanged', () => {
    const data = reportData();
    const html = renderReport(data);
    const scripts = inlineBlocks(html, 'script');
    expect(scripts.map((script) => script.attributes)).toEqual([' type="application/json" id="report-data"', '']);
    expect(scripts[0].body).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(scripts[0].body)).toEqual(data);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('window.__pwned=1</script>');
  });

  it('escapes the header: title, ids and providers are shown as text', () => {
    const html = renderReport(reportData({ job_id: 'job-<b>1</b>', embedding: { provider: '<i>lsa</i>' } }));
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('<h1>Budget &lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;&lt;!-- &amp; &quot;plans&quot;</h1>');
    expect(header).toContain('job <b id="job-id">job-&lt;b&gt;1&lt;/b&gt;</b>');
    expect(header).toContain('&lt;i&gt;lsa&lt;/i&gt;');
    expect(html).toContain('<title>Budget &lt;/script&gt;');
  });

  it('allows exactly its own inline script and style, and no network at all', () => {
    const html = renderReport(reportData());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const [, script] = inlineBlocks(html, 'script');
    const [style] = inlineBlocks(html, 'style');
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `script-src ${hash(script.body)}`,
      `style-src ${hash(style.body)}`,
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    expect(script.body).toBe(CLIENT_SCRIPT);
    // Nothing is loaded from anywhere: the only URL is the conversation's link.
    expect(html.match(/\b(?:src|href)="(?!data:)[^"]*"/g)).toEqual(['href="https://pol.is/abc"']);
  });

  it('links only http(s) conversation URLs', () => {
    const html = renderReport(reportData({ url: 'javascript:alert(1)' }));
    expect(html.match(/\bhref="[^"]*"/g)).toEqual(['href="data:,"']);
  });

  it('shows the quality figures per layer when the job has them, and no block when it has none', () => {
    const html = renderReport(reportData());
    expect(html).toContain('<tr data-layer="0"><td>Fine</td><td>2</td><td>25%</td><td>−0.050</td><td>0.90</td><td>−0.300</td></tr>');
    expect(html).toContain('<tr data-layer="1"><td>Coarse</td><td>1</td><td>25%</td><td>0.000</td><td>1.00</td><td>0.100</td></tr>');
    expect(renderReport(reportData({ quality: undefined }))).not.toContain('id="quality"');
  });

  it('shows the comments\' languages in the header when the job recorded them', () => {
    const html = renderReport(reportData({ languages: { de: 0.97, en: 0.03 } }));
    expect(html).toContain('<span id="languages"><b>German</b> 97 %, <b>English</b> 3 %</span>');
    expect(renderReport(reportData())).not.toContain('id="languages"');
  });

  it('says why there is no map for a job that has not completed', () => {
    const data = reportData({ status: 'FAILED', error: { type: 'InvalidInputError', step: 'Embed', cause: 'comments.csv is missing <column>' } });
    const html = renderReport({ ...data, comments: [], layers: [] });
    expect(html).toContain('This job is FAILED: the map appears once it has completed.');
    expect(html).toContain('Embed failed with InvalidInputError: comments.csv is missing &lt;column&gt;');
    expect(html).not.toContain('id="map"');
  });

  it('is a pure function of its data', () => {
    expect(renderReport(reportData())).toBe(renderReport(reportData()));
  });
});

describe('the bundled browser script', () => {
  it('is up to date with shared/report/client (run `npm run build:report` after editing it)', () => {
    expect(bundleClientScript()).toBe(CLIENT_SCRIPT);
  });
});

describe('readQuality', () => {
  it('reads the evaluation list MarkCompleted stores, renaming its fields', () => {
    expect(
      readQuality([
        { layer_id: 1, clusters: 3, noise_share: 0.33, silhouette: 0.04, topic_diversity: 0.9, npmi_coherence: -0.39 },
        { layer_id: 0, clusters: 6, noise_share: 0.33, silhouette: 0.07, topic_diversity: 0.97, npmi_coherence: -0.41 },
      ]),
    ).toEqual([
      { layer_id: 0, clusters: 6, noise_share: 0.33, silhouette: 0.07, diversity: 0.97, coherence: -0.41 },
      { layer_id: 1, clusters: 3, noise_share: 0.33, silhouette: 0.04, diversity: 0.9, coherence: -0.39 },
    ]);
  });

  it('reads a map keyed by layer, and ignores what it does not know', () => {
    expect(readQuality({ layer0: { clusters: 4, diversity: 0.5, extra: 'x' }, layer1: { silhouette: 'n/a' } })).toEqual([
      { layer_id: 0, clusters: 4, diversity: 0.5 },
    ]);
  });

  it('returns nothing for a job without an evaluation', () => {
    expect(readQuality(undefined)).toBeUndefined();
    expect(readQuality([])).toBeUndefined();
    expect(readQuality('bad')).toBeUndefined();
  });
});

describe("the report's reader of the rows", () => {
  it('casts no field: the rows come typed from the contract (shared/contract/rows.ts), the free-form evaluation through a type guard', () => {
    const code = readFileSync(path.resolve(__dirname, '../../shared/report/data.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code.match(/\bas (?!const\b)[A-Za-z{[(]/g) ?? []).toEqual([]);
  });
});

describe('topic labels', () => {
  it('wraps a name into at most two lines at spaces', () => {
    expect(wrapLabel('Farming and food')).toEqual(['Farming and food']);
    expect(wrapLabel('Tax returns and presidential candidates', 24)).toEqual(['Tax returns and', 'presidential candidates']);
    expect(wrapLabel('one two three four five six seven eight nine ten eleven', 10)).toEqual(['one two', 'three four…']);
  });

  it('places labels inside the map, near their centroid, never overlapping', () => {
    // 60 labels crowded around the middle of a 800 × 600 map, and some at its edges.
    let state = 11;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    const requests: LabelRequest[] = Array.from({ length: 60 }, (_, i) => ({
      key: `t${i}`,
      x: i < 50 ? 300 + random() * 200 : [0, 800][i % 2],
      y: i < 50 ? 200 + random() * 200 : random() * 600,
      width: 60 + random() * 100,
      height: i % 3 === 0 ? 38 : 20,
    }));
    const placed = placeLabels(requests, 800, 600);
    expect(placed.length).toBeGreaterThan(10);
    expect(placed.length).toBeLessThan(60);
    expect(placed[0]).toMatchObject({ key: 't0', cx: requests[0].x, cy: requests[0].y });
    placed.forEach((label, i) => {
      const box = boxOf(label);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(800);
      expect(box.bottom).toBeLessThanOrEqual(600);
      expect(Math.abs(label.cx - label.x)).toBeLessThanOrEqual(label.width / 2 + 12);
      expect(Math.abs(label.cy - label.y)).toBeLessThanOrEqual(label.height * 1.7);
      for (const other of placed.slice(i + 1)) expect(overlaps(box, boxOf(other)), `${label.key} / ${other.key}`).toBe(false);
    });
  });

  it('names layers from fine to coarse', () => {
    expect([0, 1, 2, 3].map((i) => layerName(i, 4))).toEqual(['Fine', 'Layer 1', 'Layer 2', 'Coarse']);
    expect(layerHeading(3, 4, 6)).toBe('Coarse layer · 6 topics');
    expect(layerHeading(1, 4, 1)).toBe('Layer 1 · 1 topic');
  });
});

describe('topic colours', () => {
  it('gives the largest topics distinct colours, and a shared colour only to topics far apart', () => {
    const topics = Array.from({ length: 30 }, (_, i) => ({ key: `t${i}`, size: 100 - i, centroid: { x: i % 6, y: Math.floor(i / 6) } }));
    const colors = assignColors(topics);
    expect(new Set(topics.slice(0, PALETTE.length).map((topic) => colors.get(topic.key))).size).toBe(PALETTE.length);
    for (const a of topics) {
      for (const b of topics) {
        const distance = Math.hypot(a.centroid.x - b.centroid.x, a.centroid.y - b.centroid.y);
        if (a !== b && distance <= 1) expect(colors.get(a.key), `${a.key} next to ${b.key}`).not.toBe(colors.get(b.key));
      }
    }
  });
});
