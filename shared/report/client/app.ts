/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The report's browser script: draws the comments on a canvas, places the topic labels, and keeps the
 * map, the layer switcher and the topic panel in step (a topic's panel item: topicPanel.ts; each
 * layer's members and colours: layerViews.ts). Bundled into the page by shared/report/build.ts.
 * Every user-given string (comments, names, keywords) goes into the page through textContent only.
 */
import type { ReportComment, ReportData, ReportTopic } from '../data';
import { NOISE_COLOR } from './colors';
import { byId, element, labelInk, numberFormat, percent } from './dom';
import { layerHeading, layerName } from './format';
import { placeLabels, wrapLabel, type PlacedLabel } from './labels';
import { buildLayerViews, defaultLayer } from './layerViews';
import { topicItem } from './topicPanel';

interface LabelLayout extends PlacedLabel {
  lines: string[];
  fontSize: number;
}

const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif';
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 40;
const CLICK_SLOP = 5;

function start(): void {
  const data = JSON.parse(byId('report-data').textContent ?? '{}') as ReportData;
  const comments = data.comments;
  if (comments.length === 0 || data.layers.length === 0) return; // the page already says why

  const map = byId<HTMLDivElement>('map');
  const canvas = byId<HTMLCanvasElement>('map-canvas');
  const overlay = byId<HTMLCanvasElement>('map-overlay');
  const tooltip = byId<HTMLDivElement>('tooltip');
  const topicList = byId<HTMLOListElement>('topics');
  const layerSwitch = byId<HTMLDivElement>('layer-switch');
  const context = canvas.getContext('2d')!;
  const overlayContext = overlay.getContext('2d')!;

  const layerViews = buildLayerViews(data);
  const topicByKey = new Map(data.layers.flatMap((layer, index) => layer.topics.map((topic) => [topic.key, { topic, index }] as const)));

  let layerIndex = defaultLayer(layerViews);
  let selected: string | undefined;
  let hovered: number | undefined;
  let zoom = 1;
  let panX = 0;
  let panY = 0;
  let width = 0;
  let height = 0;
  let labels: LabelLayout[] = [];
  const screenX = new Float32Array(comments.length);
  const screenY = new Float32Array(comments.length);

  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const { x, y } of comments) {
    [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
  }
  const midX = (minX + maxX) / 2;
  const midY = (minY + maxY) / 2;

  const view = () => layerViews[layerIndex];
  const fitScale = () => {
    const padding = Math.min(48, Math.max(16, Math.min(width, height) * 0.06));
    return Math.min((width - 2 * padding) / Math.max(maxX - minX, 1e-9), (height - 2 * padding) / Math.max(maxY - minY, 1e-9));
  };
  const toScreen = (x: number, y: number): [number, number] => {
    const scale = fitScale() * zoom;
    return [width / 2 + (x - midX) * scale + panX, height / 2 - (y - midY) * scale + panY];
  };
  const pointRadius = () => {
    const base = Math.sqrt((width * height) / comments.length) * 0.16;
    return Math.min(5.5, Math.max(1.6, base)) * Math.min(2.5, Math.sqrt(zoom));
  };

  function resize(): void {
    const ratio = window.devicePixelRatio || 1;
    width = map.clientWidth;
    height = map.clientHeight;
    for (const target of [canvas, overlay]) {
      target.width = Math.round(width * ratio);
      target.height = Math.round(height * ratio);
      target.style.width = `${width}px`;
      target.style.height = `${height}px`;
      target.getContext('2d')!.setTransform(ratio, 0, 0, ratio, 0, 0);
    }
    draw();
  }

  function fillPoints(indices: number[], color: string, alpha: number, radius: number, outline?: string): void {
    if (indices.length === 0) return;
    context.globalAlpha = alpha;
    context.fillStyle = color;
    context.beginPath();
    for (const i of indices) {
      context.moveTo(screenX[i] + radius, screenY[i]);
      context.arc(screenX[i], screenY[i], radius, 0, Math.PI * 2);
    }
    context.fill();
    if (outline) {
      context.globalAlpha = 1;
      context.lineWidth = 1;
      context.strokeStyle = outline;
      context.stroke();
    }
  }

  // Measuring text is the slow part of a frame: a label's lines and size change only with the layer.
  const measured = new Map<string, { lines: string[]; fontSize: number; width: number; height: number }>();
  function measureLabel(topic: ReportTopic, largest: number) {
    const narrow = width < 500;
    const cacheKey = `${topic.key}|${narrow}`;
    let entry = measured.get(cacheKey);
    if (!entry) {
      const fontSize = Math.round(11 + 5 * Math.sqrt(topic.size / largest));
      const lines = wrapLabel(topic.name, narrow ? 18 : 24);
      context.font = `600 ${fontSize}px ${FONT_STACK}`;
      const textWidth = Math.max(...lines.map((line) => context.measureText(line).width));
      entry = { lines, fontSize, width: textWidth + 8, height: lines.length * fontSize * 1.2 + 4 };
      measured.set(cacheKey, entry);
    }
    return entry;
  }

  function layoutLabels(): LabelLayout[] {
    const { topics } = view();
    const largest = Math.max(...topics.map((topic) => topic.size), 1);
    const ordered = [...topics].sort((a, b) => Number(b.key === selected) - Number(a.key === selected) || b.size - a.size);
    const requests = ordered.map((topic) => {
      const [x, y] = toScreen(topic.centroid.x, topic.centroid.y);
      return { key: topic.key, x, y, ...measureLabel(topic, largest) };
    });
    const byKey = new Map(requests.map((request) => [request.key, request]));
    return placeLabels(requests, width, height).map((label) => ({ ...byKey.get(label.key)!, cx: label.cx, cy: label.cy }));
  }

  function drawLabels(): void {
    const { colors } = view();
    for (const label of labels) {
      const color = colors.get(label.key) ?? '#333333';
      const faded = selected !== undefined && label.key !== selected;
      context.globalAlpha = faded ? 0.5 : 1;
      if (label.key === selected) {
        context.fillStyle = 'rgba(255, 255, 255, 0.92)';
        context.strokeStyle = color;
        context.lineWidth = 2;
        context.beginPath();
        context.roundRect(label.cx - label.width / 2 - 3, label.cy - label.height / 2 - 2, label.width + 6, label.height + 4, 6);
        context.fill();
        context.stroke();
      }
      context.font = `600 ${label.fontSize}px ${FONT_STACK}`;
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      context.lineJoin = 'round';
      context.lineWidth = 4;
      context.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      context.fillStyle = labelInk(color);
      const lineHeight = label.fontSize * 1.2;
      label.lines.forEach((line, i) => {
        const y = label.cy + (i - (label.lines.length - 1) / 2) * lineHeight;
        context.strokeText(line, label.cx, y);
        context.fillText(line, label.cx, y);
      });
    }
    context.globalAlpha = 1;
  }

  function draw(): void {
    if (width === 0 || height === 0) return;
    const started = performance.now();
    const { topics, members, noise, colors } = view();
    for (let i = 0; i < comments.length; i++) [screenX[i], screenY[i]] = toScreen(comments[i].x, comments[i].y);
    context.clearRect(0, 0, width, height);
    const radius = pointRadius();
    fillPoints(noise, NOISE_COLOR, selected ? 0.25 : 0.6, radius * 0.85);
    let drawn = noise.length;
    for (const topic of topics) {
      if (topic.key === selected) continue;
      fillPoints(members.get(topic.key)!, colors.get(topic.key)!, selected ? 0.25 : 0.85, radius);
      drawn += members.get(topic.key)!.length;
    }
    if (selected && members.has(selected)) {
      fillPoints(members.get(selected)!, colors.get(selected)!, 1, radius * 1.15, 'rgba(20, 20, 20, 0.55)');
      drawn += members.get(selected)!.length;
    }
    context.globalAlpha = 1;
    labels = layoutLabels();
    drawLabels();
    drawHover();
    map.dataset.points = String(drawn);
    map.dataset.labels = String(labels.length);
    map.dataset.drawMs = (performance.now() - started).toFixed(1);
  }

  function drawHover(): void {
    overlayContext.clearRect(0, 0, width, height);
    if (hovered === undefined) return;
    overlayContext.beginPath();
    overlayContext.arc(screenX[hovered], screenY[hovered], pointRadius() + 3, 0, Math.PI * 2);
    overlayContext.lineWidth = 2;
    overlayContext.strokeStyle = '#111111';
    overlayContext.stroke();
  }

  function nearestPoint(x: number, y: number): number | undefined {
    const reach = Math.max(pointRadius() + 4, 8);
    let best: number | undefined;
    let bestDistance = reach * reach;
    for (let i = 0; i < comments.length; i++) {
      const distance = (screenX[i] - x) ** 2 + (screenY[i] - y) ** 2;
      if (distance <= bestDistance) {
        best = i;
        bestDistance = distance;
      }
    }
    return best;
  }

  function labelAt(x: number, y: number): LabelLayout | undefined {
    return labels.find((label) => Math.abs(label.cx - x) <= label.width / 2 + 2 && Math.abs(label.cy - y) <= label.height / 2 + 2);
  }

  function topicOf(comment: ReportComment): ReportTopic | undefined {
    return view().byClusterId.get(comment.labels[layerIndex]);
  }

  function showTooltip(index: number | undefined, x = 0, y = 0): void {
    hovered = index;
    drawHover();
    if (index === undefined) {
      tooltip.hidden = true;
      return;
    }
    const comment = comments[index];
    const topic = topicOf(comment);
    const head = element('div', 'tooltip-topic');
    const swatch = element('span', 'swatch');
    swatch.style.background = topic ? view().colors.get(topic.key)! : NOISE_COLOR;
    head.append(swatch, document.createTextNode(topic ? topic.name : 'Not in a topic at this layer'));
    const parts: HTMLElement[] = [head, element('div', 'tooltip-text', comment.text)];
    if (comment.votes) {
      const { agree, disagree, pass } = comment.votes;
      parts.push(element('div', 'tooltip-votes', `${numberFormat.format(agree)} agree · ${numberFormat.format(disagree)} disagree · ${numberFormat.format(pass)} pass`));
    }
    parts.push(element('div', 'tooltip-id', `comment ${comment.id}`));
    tooltip.replaceChildren(...parts);
    tooltip.hidden = false;
    const box = tooltip.getBoundingClientRect();
    const left = x + 14 + box.width > width ? Math.max(4, x - 14 - box.width) : x + 14;
    const top = y + 14 + box.height > height ? Math.max(4, y - 14 - box.height) : y + 14;
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  }

  function select(key: string | undefined, options: { scroll?: boolean } = {}): void {
    selected = key && view().members.has(key) ? key : undefined;
    for (const item of topicList.querySelectorAll<HTMLLIElement>('li.topic')) {
      const isSelected = item.dataset.key === selected;
      item.classList.toggle('selected', isSelected);
      item.querySelector('.topic-head')?.setAttribute('aria-expanded', String(isSelected));
      const details = item.querySelector<HTMLElement>('.topic-details');
      if (details) details.hidden = !isSelected;
      if (isSelected && options.scroll !== false) item.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
    map.dataset.selected = selected ?? '';
    map.dataset.highlighted = String(selected ? view().members.get(selected)!.length : 0);
    map.classList.toggle('has-selection', selected !== undefined);
    draw();
  }

  function relationButton(key: string): HTMLElement {
    const target = topicByKey.get(key);
    if (!target) return element('span', undefined, key);
    const button = element<HTMLButtonElement>('button', 'relation', target.topic.name);
    button.type = 'button';
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      setLayer(target.index);
      select(key);
    });
    return button;
  }

  function setLayer(index: number): void {
    layerIndex = index;
    selected = undefined;
    const { topics, noise } = view();
    for (const button of layerSwitch.querySelectorAll<HTMLButtonElement>('button')) {
      button.setAttribute('aria-pressed', String(Number(button.dataset.layer) === index));
    }
    for (const row of document.querySelectorAll<HTMLTableRowElement>('#quality tr[data-layer]')) {
      row.classList.toggle('current', Number(row.dataset.layer) === data.layers[index].layer_id);
    }
    byId('panel-title').textContent = layerHeading(index, layerViews.length, topics.length);
    // A sampled map (a huge conversation): its points give shares, not counts.
    const shown = data.job.points_shown;
    const sampled = shown
      ? ` The map shows ${numberFormat.format(shown)} of the ${numberFormat.format(data.job.num_comments)} comments, the same share of every topic; sizes count all.`
      : '';
    const noiseText = shown
      ? `${percent(noise.length / comments.length)} of the comments are in no topic at this layer (grey).`
      : `${numberFormat.format(noise.length)} of ${numberFormat.format(comments.length)} comments (${percent(noise.length / comments.length)}) are in no topic at this layer (grey).`;
    byId('panel-noise').textContent = `${noise.length ? noiseText : ''}${sampled}`.trim();
    const panel = { colors: view().colors, topics, toggle: (key: string) => select(selected === key ? undefined : key), relation: relationButton };
    topicList.replaceChildren(...topics.map((topic, rank) => topicItem(topic, rank, panel)));
    map.dataset.layer = String(data.layers[index].layer_id);
    map.dataset.topics = String(topics.length);
    showTooltip(undefined);
    select(undefined, { scroll: false });
  }

  for (const [index, layer] of data.layers.entries()) {
    const button = element<HTMLButtonElement>('button', undefined, `${layerName(index, data.layers.length)} (${layer.topics.length})`);
    button.type = 'button';
    button.dataset.layer = String(index);
    button.title = `Layer ${layer.layer_id}: ${layer.topics.length} topics`;
    button.addEventListener('click', () => setLayer(index));
    layerSwitch.append(button);
  }

  // Pointer: hover shows a comment, drag pans, click selects (a label or a point's topic), wheel zooms.
  let drag: { x: number; y: number; panX: number; panY: number; moved: boolean } | undefined;
  const local = (event: MouseEvent): [number, number] => {
    const rect = map.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  };
  let frame = 0;
  const drawSoon = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), draw()));
  };
  const zoomAround = (x: number, y: number, factor: number) => {
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom * factor));
    const applied = next / zoom;
    panX = x - width / 2 - (x - width / 2 - panX) * applied;
    panY = y - height / 2 - (y - height / 2 - panY) * applied;
    zoom = next;
    showTooltip(undefined);
    drawSoon();
  };
  map.addEventListener('pointerdown', (event) => {
    const [x, y] = local(event);
    drag = { x, y, panX, panY, moved: false };
    map.setPointerCapture(event.pointerId);
  });
  map.addEventListener('pointermove', (event) => {
    const [x, y] = local(event);
    if (drag && (drag.moved || Math.hypot(x - drag.x, y - drag.y) > CLICK_SLOP)) {
      drag.moved = true;
      map.classList.add('dragging');
      panX = drag.panX + x - drag.x;
      panY = drag.panY + y - drag.y;
      showTooltip(undefined);
      drawSoon();
      return;
    }
    const index = nearestPoint(x, y);
    map.classList.toggle('pointing', index !== undefined || labelAt(x, y) !== undefined);
    if (index !== hovered || index !== undefined) showTooltip(index, x, y);
  });
  map.addEventListener('pointerleave', (event) => {
    // A finger lifted also "leaves": keep the tooltip a tap opened.
    if (!drag && event.pointerType === 'mouse') showTooltip(undefined);
  });
  map.addEventListener('pointerup', (event) => {
    const [x, y] = local(event);
    const wasDrag = drag?.moved;
    drag = undefined;
    map.classList.remove('dragging');
    if (wasDrag) return;
    const label = labelAt(x, y);
    if (label) return select(selected === label.key ? undefined : label.key);
    const index = nearestPoint(x, y);
    const topic = index === undefined ? undefined : topicOf(comments[index]);
    select(topic?.key);
    showTooltip(index, x, y);
  });
  map.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const [x, y] = local(event);
      zoomAround(x, y, Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)));
    },
    { passive: false },
  );
  map.addEventListener('dblclick', (event) => {
    const [x, y] = local(event);
    zoomAround(x, y, 2);
  });
  byId('zoom-in').addEventListener('click', () => zoomAround(width / 2, height / 2, 1.5));
  byId('zoom-out').addEventListener('click', () => zoomAround(width / 2, height / 2, 1 / 1.5));
  byId('zoom-reset').addEventListener('click', () => {
    zoom = 1;
    panX = 0;
    panY = 0;
    showTooltip(undefined);
    draw();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') select(undefined);
  });

  new ResizeObserver(() => resize()).observe(map);
  width = map.clientWidth;
  height = map.clientHeight;
  setLayer(layerIndex);
  resize();

  // For tests and for anyone scripting the page: where a comment or a label is, in page pixels.
  (window as unknown as { delphiReport: unknown }).delphiReport = {
    commentPosition(index: number) {
      const rect = map.getBoundingClientRect();
      return { x: rect.left + screenX[index], y: rect.top + screenY[index] };
    },
    labelPosition(key: string) {
      const rect = map.getBoundingClientRect();
      const label = labels.find((candidate) => candidate.key === key);
      return label ? { x: rect.left + label.cx, y: rect.top + label.cy } : undefined;
    },
    placedLabels: () => labels.map(({ key, cx, cy, width: w, height: h }) => ({ key, cx, cy, width: w, height: h })),
  };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
