/** The report's stylesheet: inlined into the page (no external fonts or files). */
export const REPORT_CSS = `
:root {
  --bg: #f4f5f7; --ink: #1f2328; --muted: #5b6370; --line: #e1e4e8; --chip: #f0f2f4;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; }
body { font-family: var(--font); color: var(--ink); background: var(--bg); font-size: 14px;
  display: flex; flex-direction: column; height: 100vh; }
.report-header { display: flex; gap: 24px; justify-content: space-between; align-items: flex-start;
  padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); }
.heading { min-width: 0; }
.eyebrow { margin: 0 0 2px; font-size: 11px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 0 0 4px; font-size: 20px; line-height: 1.25; }
.meta { margin: 2px 0 0; display: flex; flex-wrap: wrap; gap: 2px 16px; color: var(--muted); font-size: 12.5px; }
.meta b { color: var(--ink); font-weight: 600; overflow-wrap: anywhere; }
.meta a { color: inherit; }
.quality { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; flex: none; }
.quality caption { text-align: left; font-size: 11px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); padding-bottom: 2px; }
.quality th, .quality td { padding: 2px 8px; text-align: right; white-space: nowrap; }
.quality th:first-child, .quality td:first-child { text-align: left; padding-left: 4px; }
.quality thead th { color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); }
.quality tr.current td { background: #eef3f8; font-weight: 600; }
.layout { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) 400px; }
.map-area { display: flex; flex-direction: column; min-width: 0; min-height: 0; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 10px 16px; }
.segmented { display: inline-flex; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.segmented button, .zoom button { font: inherit; font-size: 13px; border: 0; background: transparent; color: var(--ink); padding: 6px 12px; cursor: pointer; }
.segmented button + button { border-left: 1px solid var(--line); }
.segmented button[aria-pressed="true"] { background: var(--ink); color: #fff; }
.zoom { display: inline-flex; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.zoom button { padding: 6px 10px; }
.zoom button + button { border-left: 1px solid var(--line); }
.hint { color: var(--muted); font-size: 12px; }
.noise-key { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: #b8bcc2; margin-right: 4px; vertical-align: -1px; }
.map { position: relative; flex: 1; min-height: 300px; margin: 0 16px 16px; background: #fff; border: 1px solid var(--line);
  border-radius: 10px; overflow: hidden; touch-action: none; cursor: grab; user-select: none; }
.map.pointing { cursor: pointer; }
.map.dragging { cursor: grabbing; }
.map canvas { position: absolute; left: 0; top: 0; }
.map canvas.overlay { pointer-events: none; }
.tooltip { position: absolute; z-index: 2; max-width: min(340px, 80%); padding: 8px 10px; background: #fff; border: 1px solid var(--line);
  border-radius: 8px; box-shadow: 0 6px 20px rgba(20, 24, 31, .14); pointer-events: none; font-size: 13px; line-height: 1.4; }
.tooltip-topic { display: flex; align-items: center; gap: 6px; font-size: 12px; font-weight: 600; margin-bottom: 4px; }
.tooltip-text { overflow-wrap: anywhere; white-space: pre-wrap; }
.tooltip-votes, .tooltip-id { margin-top: 4px; font-size: 11.5px; color: var(--muted); }
.swatch { flex: none; display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: var(--topic-color, #b8bcc2); }
.panel { min-height: 0; overflow-y: auto; background: #fff; border-left: 1px solid var(--line); padding: 14px 16px 24px; }
.panel h2 { margin: 0; font-size: 16px; }
.panel-note { margin: 4px 0 10px; color: var(--muted); font-size: 12.5px; line-height: 1.4; }
.topics { list-style: none; margin: 0; padding: 0; }
.topic { margin: 0 0 8px; padding: 8px 10px; border: 1px solid var(--line); border-left: 4px solid var(--topic-color); border-radius: 8px; background: #fff; }
.topic.selected { background: #fafbfc; box-shadow: 0 0 0 2px var(--topic-color); }
.topic-head { display: grid; grid-template-columns: auto auto minmax(0, 1fr) auto; align-items: center; gap: 8px; width: 100%;
  padding: 0; border: 0; background: none; font: inherit; color: inherit; text-align: left; cursor: pointer; }
.topic-rank { min-width: 1.4em; color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.topic-name { font-weight: 600; overflow-wrap: anywhere; }
.topic-size { color: var(--muted); font-size: 12px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.share-bar { height: 4px; margin: 6px 0; border-radius: 2px; background: #eef0f3; overflow: hidden; }
.share-bar span { display: block; height: 100%; background: var(--topic-color); }
.keywords { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 0; padding: 0; }
.keywords li { padding: 1px 8px; border-radius: 10px; background: var(--chip); color: #39414b; font-size: 11.5px; }
.topic-details h4 { margin: 10px 0 4px; font-size: 11px; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); }
.named-by { margin: 8px 0 0; color: var(--muted); font-size: 12px; }
.representatives { list-style: none; margin: 0; padding: 0; }
.representatives li { margin: 0 0 6px; padding: 2px 0 2px 8px; border-left: 3px solid var(--line); font-size: 13px; line-height: 1.4; overflow-wrap: anywhere; }
.vote-bar { display: flex; height: 8px; border-radius: 4px; overflow: hidden; background: #eee; }
.vote-bar .agree { background: #3a9d5d; }
.vote-bar .disagree { background: #d1495b; }
.vote-bar .pass { background: #c9ccd1; }
.vote-figures { margin: 4px 0 0; color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.group-votes { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; align-items: center; font-size: 12px; }
.group-votes li { display: contents; }
.group-votes .group-figures { grid-column: 2; margin-bottom: 4px; color: var(--muted); font-variant-numeric: tabular-nums; }
.relations { margin: 10px 0 0; font-size: 12px; color: var(--muted); line-height: 1.9; }
.relation { margin: 0 4px 0 0; padding: 1px 8px; border: 1px solid var(--line); border-radius: 10px; background: #fff; font: inherit; color: var(--ink); cursor: pointer; }
.panel-noise { margin: 12px 0 0; color: var(--muted); font-size: 12.5px; }
.notice { flex: 1; padding: 32px 20px; max-width: 720px; }
.notice p { font-size: 15px; line-height: 1.5; }
@media (max-width: 860px) {
  body { height: auto; }
  .report-header { flex-direction: column; gap: 8px; padding: 10px 14px; }
  h1 { font-size: 18px; }
  .quality { font-size: 11.5px; width: 100%; }
  .quality th, .quality td { padding: 2px 4px; }
  .layout { display: block; }
  .toolbar { padding: 8px 12px; }
  .hint { display: none; }
  .map { flex: none; height: min(62vh, 105vw); min-height: 280px; margin: 0 12px 12px; }
  .panel { border-left: 0; border-top: 1px solid var(--line); overflow: visible; }
}
`;
