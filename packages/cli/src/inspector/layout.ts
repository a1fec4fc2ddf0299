import { html, raw } from './html.js';
import type { HtmlValue, SafeHtml } from './html.js';

/** One step of the breadcrumb: a label and, except for the current page, its link. */
export type Crumb = { label: string; href?: string };

const STYLE = raw(`
:root { color-scheme: light; --line: #d8dde3; --muted: #5f6b7a; --accent: #1f5fbf; --warn: #a15c00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d232b; background: #f6f7f9; }
header { background: #1d232b; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header .brand { font-weight: 600; }
header nav a { color: #b9d2ff; }
header nav span.sep { color: #8a96a6; margin: 0 6px; }
main { padding: 16px 20px 40px; max-width: 1200px; }
h1 { font-size: 20px; margin: 4px 0 12px; overflow-wrap: anywhere; }
h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; background: #fff; border: 1px solid var(--line); padding: 10px 14px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
form.search { display: flex; gap: 8px; margin: 0 0 14px; }
form.search input[type=search] { flex: 1; max-width: 480px; padding: 5px 8px; font: inherit; }
.muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
mark { background: #ffe58a; }
ol.chain { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid var(--line); }
section.tree > ol.chain { margin-bottom: 14px; }
li.node { margin: 6px 0; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 6px 9px; }
li.node .head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
li.node .badge { font-weight: 600; color: #fff; background: #6b7685; border-radius: 3px; padding: 0 6px; }
li.node.type-user .badge { background: #2f7d4f; }
li.node.type-assistant .badge { background: #1f5fbf; }
li.node.type-system .badge { background: #7a4fb0; }
li.node.boundary { border: 2px dashed var(--warn); background: #fff8ec; }
li.node.boundary .badge { background: var(--warn); }
li.node:target { outline: 3px solid #ffb000; }
li.node .body { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: 4px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
li.node .usage { color: #1d232b; }
li.fork { margin: 8px 0; }
li.fork > .fork-label { font-weight: 600; color: var(--warn); }
div.branch { margin: 6px 0 6px 8px; }
div.branch > .branch-label { font-size: 12px; font-weight: 600; color: var(--warn); }
.flag { font-size: 11px; border: 1px solid var(--warn); color: var(--warn); border-radius: 3px; padding: 0 4px; }
`);

/**
 * A whole page: the breadcrumb, the title and the body. The page has no script at all; the
 * response's Content-Security-Policy forbids scripts too, so markup that slipped into a transcript
 * could not run even if escaping were missed.
 */
export function page(title: string, crumbs: readonly Crumb[], body: HtmlValue): string {
  const trail: SafeHtml[] = crumbs.map((crumb, index) =>
    html`${index > 0 ? html`<span class="sep">›</span>` : ''}${crumb.href === undefined ? html`<span>${crumb.label}</span>` : html`<a href="${crumb.href}">${crumb.label}</a>`}`,
  );
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title} · sdk-sessions inspect</title>
<style>${STYLE}</style>
</head>
<body>
<header><span class="brand">sdk-sessions inspect</span><nav>${trail}</nav><span class="muted">read-only</span></header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value}`;
}
