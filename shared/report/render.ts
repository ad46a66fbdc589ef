/**
 * renderReport: ReportData → one self-contained HTML page. Pure (no I/O, no clock): the stylesheet and
 * the bundled browser script are inlined, the data is embedded as JSON, and a Content-Security-Policy
 * allows exactly those two inline blocks and nothing else — no network, no other script.
 */
import { createHash } from 'node:crypto';
import { CLIENT_SCRIPT } from './clientScript.generated';
import { layerName } from './client/format';
import type { LayerQuality, ReportData } from './data';
import { REPORT_CSS } from './styles';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML that shows it verbatim. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * JSON for a `<script type="application/json">` block. `<` `>` `&` become \u escapes, so no value can
 * close the block (`</script>`) or open a comment (`<!--`); U+2028/U+2029 are escaped for old parsers.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** `2026-11-27T17:25:21.973Z` → `2026-11-27 17:25 UTC`. */
function formatDate(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

function qualityTable(quality: LayerQuality[] | undefined): string {
  if (!quality?.length) return '';
  // A typographic minus: "−0.394" reads as negative at a glance, "-0.394" can look like a dash.
  const fixed = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits).replace(/^-/, '−'));
  const rows = quality
    .map(
      (layer, index) => `<tr data-layer="${layer.layer_id}"><td>${escapeHtml(layerName(index, quality.length))}</td>` +
        `<td>${layer.clusters ?? '–'}</td>` +
        `<td>${layer.noise_share === undefined ? '–' : `${Math.round(layer.noise_share * 100)}%`}</td>` +
        `<td>${fixed(layer.silhouette, 3)}</td><td>${fixed(layer.diversity, 2)}</td><td>${fixed(layer.coherence, 3)}</td></tr>`,
    )
    .join('');
  return `<table class="quality" id="quality">
<caption>Quality of the clustering</caption>
<thead><tr><th>Layer</th><th title="Number of clusters">Topics</th><th title="Share of comments in no cluster">Noise</th>` +
    `<th title="Mean silhouette in embedding space (cosine): −1 to 1, higher = better separated">Silhouette</th>` +
    `<th title="Topic diversity: share of unique words among the topics' top keywords">Diversity</th>` +
    `<th title="NPMI coherence of each topic's top keywords on the conversation's comments: −1 to 1">Coherence</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

const CHANGED_SHOWN = 6;

/** "Since <date>": per layer how many topics are new, grown, … since the earlier job, and which. */
function sinceTable(since: ReportData['since']): string {
  if (!since) return '';
  const date = formatDate(since.date) ?? since.job_id;
  const statuses = ['same', 'grown', 'shrunk', 'split', 'merged', 'new', 'gone'] as const;
  const rows = since.layers
    .map((layer, index) => {
      const listed = layer.changed.slice(0, CHANGED_SHOWN).map((topic) => `${topic.status} ${topic.name} (${topic.size})`);
      const more = layer.changed.length > CHANGED_SHOWN ? `; ${layer.changed.length - CHANGED_SHOWN} more` : '';
      return `<tr data-layer="${layer.layer_id}"><td>${escapeHtml(layerName(index, since.layers.length))}</td><td>${layer.topics}</td>` +
        statuses.map((status) => `<td>${layer.counts[status]}</td>`).join('') +
        `<td>${layer.uids_kept}</td><td>${escapeHtml(listed.join('; ') + more)}</td></tr>`;
    })
    .join('');
  return `<table class="quality" id="since">
<caption>Since ${escapeHtml(date)} (job ${escapeHtml(since.job_id)}): ${since.comments.new} new, ${since.comments.changed} changed, ${since.comments.gone} gone comments</caption>
<thead><tr><th>Layer</th><th>Topics</th>${statuses.map((status) => `<th>${status}</th>`).join('')}<th title="Topics that carry an earlier topic's uid">Kept uid</th><th>Changed topics</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

const LANGUAGES_SHOWN = 4;

/** "German 97 %, English 3 %": the comments' languages (shares under 1 % left out), or nothing for older jobs. */
function languageList(shares: Record<string, number> | undefined): string {
  if (!shares) return '';
  const names = new Intl.DisplayNames('en', { type: 'language' });
  const shown = Object.entries(shares)
    .filter(([, share]) => share >= 0.01)
    .slice(0, LANGUAGES_SHOWN)
    .map(([code, share]) => {
      let name = code;
      try {
        name = names.of(code) ?? code;
      } catch {
        // not a language tag: shown as it is
      }
      return `<b>${escapeHtml(name)}</b> ${Math.round(share * 100)} %`;
    });
  return shown.length > 0 ? `<span id="languages">${shown.join(', ')}</span>` : '';
}

function header(data: ReportData): string {
  const { job } = data;
  const title = job.title || job.conversation_id;
  const namers = new Map<string, { provider?: string; model?: string }>();
  for (const layer of data.layers) {
    for (const topic of layer.topics) namers.set(`${topic.provider}\u0000${topic.model}`, { provider: topic.provider, model: topic.model });
  }
  const describe = (entry: { provider?: string; model?: string }) =>
    `<b>${escapeHtml(entry.provider ?? 'unknown')}</b>${entry.model ? ` · ${escapeHtml(entry.model)}` : ''}`;
  const link = job.url && /^https?:\/\//i.test(job.url)
    ? `<span><a href="${escapeHtml(job.url)}" rel="noopener noreferrer">${escapeHtml(job.url)}</a></span>`
    : '';
  const date = formatDate(job.completed_at ?? job.created_at);
  const comments = `<span><b>${job.num_comments.toLocaleString('en')}</b> comments${job.moderated_out ? ` (${job.moderated_out.toLocaleString('en')} moderated out)` : ''}</span>`;
  const languages = languageList(job.languages);
  const keywordNote = [...namers.values()].some((entry) => entry.provider === 'keywords')
    ? '<span>offline labels from phrases of each topic\'s comments, not LLM names</span>'
    : '';
  return `<header class="report-header">
<div class="heading">
<p class="eyebrow">Delphi topic map</p>
<h1>${escapeHtml(title)}</h1>
<p class="meta"><span>conversation <b>${escapeHtml(job.conversation_id)}</b></span><span>job <b id="job-id">${escapeHtml(job.job_id)}</b></span>${date ? `<span>${escapeHtml(date)}</span>` : ''}${comments}${languages}<span>${job.has_votes ? 'with votes' : 'no votes'}</span><span>${job.opinion_groups ? `${job.opinion_groups} opinion groups` : 'no opinion groups'}</span>${link}</p>
<p class="meta"><span>embeddings ${describe(job.embedding)}</span>${namers.size ? `<span>topic names ${[...namers.values()].map(describe).join(', ')}</span>` : ''}${keywordNote}</p>
</div>
${qualityTable(job.quality)}
${sinceTable(data.since)}
</header>`;
}

function body(data: ReportData): string {
  const { job } = data;
  if (job.status !== 'COMPLETED' || data.comments.length === 0) {
    const error = job.error ? `<p>${escapeHtml(job.error.step ?? '')} failed with ${escapeHtml(job.error.type ?? 'an error')}: ${escapeHtml(job.error.cause ?? '')}</p>` : '';
    const why = job.status === 'COMPLETED' ? 'This job has no comments to map.' : `This job is ${escapeHtml(job.status)}: the map appears once it has completed.`;
    return `<main class="notice" id="notice"><p>${why}</p>${error}</main>`;
  }
  return `<main class="layout">
<section class="map-area" aria-label="Topic map">
<div class="toolbar">
<div class="segmented" id="layer-switch" role="group" aria-label="Layer: fine to coarse"></div>
<div class="zoom" role="group" aria-label="Zoom"><button type="button" id="zoom-in" title="Zoom in">+</button><button type="button" id="zoom-out" title="Zoom out">−</button><button type="button" id="zoom-reset" title="Show the whole map">Reset</button></div>
<span class="hint"><span class="noise-key"></span>no topic · hover a point to read it · click a topic · scroll to zoom, drag to pan</span>
</div>
<div class="map" id="map" data-points="0" data-highlighted="0">
<canvas id="map-canvas" role="img" aria-label="Map of ${data.comments.length} comments coloured by topic"></canvas>
<canvas id="map-overlay" class="overlay" aria-hidden="true"></canvas>
<div class="tooltip" id="tooltip" role="status" hidden></div>
</div>
</section>
<aside class="panel" aria-labelledby="panel-title">
<h2 id="panel-title">Topics</h2>
<p class="panel-note">Largest first: size and share of all comments, keywords. Click a topic for its representative comments${job.has_votes ? ' and votes' : ''}.</p>
<ol class="topics" id="topics"></ol>
<p class="panel-noise" id="panel-noise"></p>
</aside>
</main>
<noscript><p class="notice">The map needs JavaScript.</p></noscript>`;
}

export function renderReport(data: ReportData): string {
  if (/<\/script/i.test(CLIENT_SCRIPT)) throw new Error('The bundled report script contains "</script": it cannot be inlined');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(CLIENT_SCRIPT)}`,
    `style-src ${sha256(REPORT_CSS)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = data.job.title || data.job.conversation_id;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Delphi topic map</title>
<link rel="icon" href="data:,">
<style>${REPORT_CSS}</style>
</head>
<body>
${header(data)}
${body(data)}
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
