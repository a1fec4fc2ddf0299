import { formatBytes, formatCost, formatCount, formatTime, oneLine } from '../output.js';
import type { SessionRow } from '../session-row.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { ProjectSummary, SearchHit } from './inspector-data.js';
import { MAX_QUERY_LENGTH } from './inspector-data.js';
import { page } from './layout.js';
import type { Links } from './routes.js';

const TITLE_WIDTH = 90;

const time = (iso: string | null): string => (iso === null ? '' : `${formatTime(Date.parse(iso))}`);

/** The search box of a project; a plain GET form, so searching needs no script. */
export function searchForm(links: Links, projectKey: string, query = ''): SafeHtml {
  return html`<form class="search" method="get" action="${links.search(projectKey)}" role="search">
<input type="search" name="q" value="${query}" maxlength="${MAX_QUERY_LENGTH}" placeholder="Search the text of this project's sessions" aria-label="Search">
<button type="submit">Search</button>
</form>`;
}

/** `/`: every project of the store. */
export function projectsPage(links: Links, displayUrl: string, projects: readonly ProjectSummary[]): string {
  const body =
    projects.length === 0 ?
      html`<p class="empty">No projects in this store.</p>`
    : html`<table id="projects">
<thead><tr><th>Project</th><th class="num">Sessions</th><th>Last modified (UTC)</th></tr></thead>
<tbody>${projects.map(
        (project) =>
          html`<tr><td><a href="${links.project(project.projectKey)}">${project.projectKey}</a></td><td class="num">${project.sessions}</td><td class="nowrap">${time(project.lastModified)}</td></tr>`,
      )}</tbody>
</table>`;
  return page('Projects', [{ label: displayUrl }], html`<p class="muted">Store <code>${displayUrl}</code></p>${body}`);
}

function sessionRows(links: Links, rows: readonly SessionRow[]): SafeHtml {
  return html`<table id="sessions">
<thead><tr><th>Modified (UTC)</th><th>Title</th><th>Session</th><th class="num">Entries</th><th class="num">Size</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-session="${row.sessionId}">
<td class="nowrap">${time(row.lastModified)}</td>
<td><a href="${links.session(row.projectKey, row.sessionId)}">${oneLine(row.title, TITLE_WIDTH) || '(untitled)'}</a>${row.tag === null ? '' : html` <span class="flag">${row.tag}</span>`}</td>
<td class="mono nowrap">${row.sessionId}</td>
<td class="num">${row.entries}</td><td class="num">${formatBytes(row.bytes)}</td><td class="num" title="${`${row.tokens.total} tokens`}">${formatCount(row.tokens.total)}</td><td class="num">${formatCost(row.costUsd)}</td>
</tr>`,
  )}</tbody>
</table>`;
}

/** `/projects/<key>`: the project's sessions, newest first, and the search box. */
export function sessionsPage(links: Links, displayUrl: string, projectKey: string, rows: readonly SessionRow[]): string {
  return page(
    projectKey,
    [{ label: displayUrl, href: links.projects() }, { label: projectKey }],
    html`${searchForm(links, projectKey)}${rows.length === 0 ? html`<p class="empty">No sessions in this project.</p>` : sessionRows(links, rows)}`,
  );
}

/** `snippet` with every occurrence of `query` (case-insensitive) marked. */
function highlighted(snippet: string, query: string): SafeHtml {
  const lower = snippet.toLowerCase();
  const needle = query.toLowerCase();
  const parts: SafeHtml[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); needle !== '' && at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    parts.push(html`${snippet.slice(from, at)}<mark>${snippet.slice(at, at + needle.length)}</mark>`);
    from = at + needle.length;
  }
  parts.push(html`${snippet.slice(from)}`);
  return html`${parts}`;
}

/** `/projects/<key>/search?q=`: sessions whose text contains the query, with where. */
export function searchPage(links: Links, displayUrl: string, projectKey: string, query: string, hits: readonly SearchHit[]): string {
  const results =
    query.trim() === '' ? html`<p class="empty">Type some text to search for.</p>`
    : hits.length === 0 ? html`<p class="empty" id="no-results">No session of this project contains “${query}”.</p>`
    : html`<p id="result-count">${hits.length} ${hits.length === 1 ? 'session matches' : 'sessions match'}.</p>
<ol id="results">${hits.map(
        (hit) => html`<li data-session="${hit.session.sessionId}">
<a href="${links.session(projectKey, hit.session.sessionId)}">${oneLine(hit.session.title, TITLE_WIDTH) || '(untitled)'}</a> <span class="muted mono">${hit.session.sessionId}</span> <span class="muted">${hit.matchCount} ${hit.matchCount === 1 ? 'match' : 'matches'}</span>
<ul>${hit.matches.map(
          (match) =>
            html`<li><span class="muted">${match.type}</span> ${match.uuid === null ? highlighted(match.snippet, query) : html`<a href="${`${links.session(projectKey, hit.session.sessionId)}#e-${match.uuid}`}">${highlighted(match.snippet, query)}</a>`}</li>`,
        )}</ul>
</li>`,
      )}</ol>`;
  return page(
    `Search: ${query}`,
    [{ label: displayUrl, href: links.projects() }, { label: projectKey, href: links.project(projectKey) }, { label: 'search' }],
    html`${searchForm(links, projectKey, query)}${results}`,
  );
}

/** A page for a failed request: not found, bad input, store down. */
export function errorPage(links: Links, status: number, message: string): string {
  return page(status === 404 ? 'Not found' : 'Error', [{ label: 'projects', href: links.projects() }], html`<p id="error">${message}</p>`);
}
