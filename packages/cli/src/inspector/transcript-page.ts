import type { SessionStoreEntry } from '@sdk/core';
import { messageLines } from '../conversation-text.js';
import { formatBytes, formatCost, formatCount, formatTime, oneLine } from '../output.js';
import type { SessionUsage } from '../session-stats.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { SessionView, SubkeySummary, TranscriptView } from './inspector-data.js';
import { agentIdOf } from './inspector-data.js';
import { page } from './layout.js';
import { searchForm } from './list-pages.js';
import { logicalParentOf } from './message-tree.js';
import type { TreeNode } from './message-tree.js';
import type { Links } from './routes.js';

/** Lines of an entry shown at once; the rest folds into a <details>, so a file dump stays one click away. */
const BODY_LINES = 14;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const short = (uuid: string): string => uuid.slice(0, 8);

function usageText(usage: SessionUsage): string {
  return `${formatCount(usage.inputTokens)} in · ${formatCount(usage.outputTokens)} out · ${formatCount(usage.cacheReadInputTokens)} cache read · ${formatCount(usage.cacheCreationInputTokens)} cache write · ${formatCost(usage.costUsd)}`;
}

/** The text lines of an entry of any type. */
function bodyLines(entry: SessionStoreEntry): string[] {
  if (entry.type === 'user' || entry.type === 'assistant') return messageLines(entry.message);
  if (entry.type === 'system') return [typeof entry.content === 'string' ? entry.content : ''];
  if (entry.type === 'attachment' && isRecord(entry.attachment)) return [`[${String(entry.attachment.type)}]`];
  return [];
}

function body(entry: SessionStoreEntry): SafeHtml {
  const lines = bodyLines(entry);
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return html``;
  if (lines.length <= BODY_LINES) return html`<div class="body">${lines.join('\n')}</div>`;
  return html`<div class="body">${lines.slice(0, BODY_LINES).join('\n')}<details><summary>${lines.length - BODY_LINES} more lines</summary>${lines.slice(BODY_LINES).join('\n')}</details></div>`;
}

/** What the page needs while drawing the nodes of one transcript. */
type TreeContext = { view: TranscriptView; links: Links; subkeys: readonly SubkeySummary[] };

/** A link to the subagent a tool result launched (its `toolUseResult.agentId`), when its transcript is stored. */
function subagentLink(context: TreeContext, entry: SessionStoreEntry): SafeHtml {
  const agentId = isRecord(entry.toolUseResult) && typeof entry.toolUseResult.agentId === 'string' ? entry.toolUseResult.agentId : undefined;
  const subkey = agentId === undefined ? undefined : context.subkeys.find((candidate) => candidate.agentId === agentId);
  if (!subkey) return html``;
  return html` <a class="subagent-link" href="${context.links.subkey(context.view.projectKey, context.view.sessionId, subkey.subpath)}">subagent ${agentId ?? ''} →</a>`;
}

function nodeHtml(context: TreeContext, node: TreeNode): SafeHtml {
  const { entry } = node;
  const model = entry.type === 'assistant' && isRecord(entry.message) && typeof entry.message.model === 'string' ? entry.message.model : undefined;
  const usage = context.view.callUsage.get(node.uuid);
  const logicalParent = logicalParentOf(entry);
  const compact = isRecord(entry.compactMetadata) ? entry.compactMetadata : undefined;
  const classes = ['node', `type-${entry.type}`, ...(node.boundary ? ['boundary'] : [])].join(' ');
  const label = node.boundary ? 'compaction boundary' : typeof entry.subtype === 'string' ? `${entry.type} · ${entry.subtype}` : entry.type;
  return html`<li class="${classes}" id="${`e-${node.uuid}`}" data-uuid="${node.uuid}">
<div class="head"><span class="badge">${label}</span><a class="mono" href="${`#e-${node.uuid}`}">${short(node.uuid)}</a>${
    typeof entry.timestamp === 'string' ? html`<span>${formatTime(Date.parse(entry.timestamp))}</span>` : ''
  }${model === undefined ? '' : html`<span>${model}</span>`}${entry.isSidechain === true ? html`<span class="flag">sidechain</span>` : ''}${
    node.orphan ? html`<span class="flag">parent ${short(String(entry.parentUuid))} missing</span>` : ''
  }${usage ? html`<span class="usage">${usageText(usage)}</span>` : ''}${subagentLink(context, entry)}</div>
${
  node.boundary ?
    html`<div class="boundary-note">History above was summarized${compact && typeof compact.trigger === 'string' ? html` (${compact.trigger}` : ''}${
      compact && typeof compact.preTokens === 'number' ? html`, ${formatCount(compact.preTokens)} tokens before` : ''
    }${compact && typeof compact.trigger === 'string' ? ')' : ''}.${
      logicalParent === undefined ? '' : html` Continues from <a href="${`#e-${logicalParent}`}">${short(logicalParent)}</a>.`
    }</div>`
  : ''
}${body(entry)}
</li>`;
}

/**
 * A chain of entries, each the only child of the one before, then its branches. Chains are drawn
 * flat and only branches nest, so a long conversation is not thousands of levels deep.
 */
function chainHtml(context: TreeContext, start: TreeNode): SafeHtml {
  const items: SafeHtml[] = [];
  let node: TreeNode | undefined = start;
  while (node) {
    items.push(nodeHtml(context, node));
    const children: TreeNode[] = node.children;
    if (children.length > 1) {
      items.push(
        html`<li class="fork" data-fork="${node.uuid}"><div class="fork-label">Fork: ${children.length} branches from ${short(node.uuid)}</div>${children.map(
          (child, index) => html`<div class="branch"><div class="branch-label">branch ${index + 1} of ${children.length}</div>${chainHtml(context, child)}</div>`,
        )}</li>`,
      );
    }
    node = children.length === 1 ? children[0] : undefined;
  }
  return html`<ol class="chain">${items}</ol>`;
}

function treeSection(context: TreeContext): SafeHtml {
  const { tree } = context.view;
  if (tree.roots.length === 0) return html`<p class="empty">No messages.</p>`;
  return html`<section class="tree" id="tree">${tree.roots.map((root) => chainHtml(context, root))}</section>`;
}

function turnsSection(view: TranscriptView): SafeHtml {
  if (view.turns.length === 0) return html`<p class="empty">No API calls.</p>`;
  return html`<table id="turns">
<thead><tr><th class="num">Turn</th><th>Started (UTC)</th><th>Prompt</th><th class="num">API calls</th><th class="num">Input</th><th class="num">Output</th><th class="num">Cache read</th><th class="num">Cache write</th><th class="num">Cost</th></tr></thead>
<tbody>${view.turns.map(
    (turn) => html`<tr>
<td class="num">${turn.turn}</td><td>${turn.timestamp === null ? '' : formatTime(Date.parse(turn.timestamp))}</td>
<td>${turn.promptUuid === null ? html`<span class="muted">(before the first prompt)</span>` : html`<a href="${`#e-${turn.promptUuid}`}">${oneLine(turn.prompt, 80) || '(empty)'}</a>`}</td>
<td class="num">${turn.apiCalls}</td><td class="num">${turn.usage.inputTokens}</td><td class="num">${turn.usage.outputTokens}</td><td class="num">${turn.usage.cacheReadInputTokens}</td><td class="num">${turn.usage.cacheCreationInputTokens}</td><td class="num">${formatCost(turn.usage.costUsd)}</td>
</tr>`,
  )}</tbody>
<tfoot><tr><th colspan="3">Total</th><td class="num">${view.turns.reduce((sum, turn) => sum + turn.apiCalls, 0)}</td><td class="num">${view.usage.inputTokens}</td><td class="num">${view.usage.outputTokens}</td><td class="num">${view.usage.cacheReadInputTokens}</td><td class="num">${view.usage.cacheCreationInputTokens}</td><td class="num">${formatCost(view.usage.costUsd)}</td></tr></tfoot>
</table>`;
}

function subkeysSection(links: Links, view: SessionView): SafeHtml {
  if (view.subkeys.length === 0) return html`<p class="empty">No subagents.</p>`;
  return html`<table id="subagents">
<thead><tr><th>Subagent</th><th>Prompt</th><th class="num">Entries</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
<tbody>${view.subkeys.map(
    (subkey) => html`<tr>
<td><a href="${links.subkey(view.projectKey, view.sessionId, subkey.subpath)}">${subkey.agentId ?? subkey.subpath}</a></td><td>${subkey.prompt}</td>
<td class="num">${subkey.entries}</td><td class="num">${formatCount(subkey.usage.totalTokens)}</td><td class="num">${formatCost(subkey.usage.costUsd)}</td>
</tr>`,
  )}</tbody>
</table>`;
}

function structureNote(view: TranscriptView): SafeHtml {
  const { forks, boundaries } = view.tree;
  return html`<p class="muted" id="structure">${view.entries.length} entries · ${forks} ${forks === 1 ? 'fork' : 'forks'} · ${boundaries} compaction ${
    boundaries === 1 ? 'boundary' : 'boundaries'
  }</p>`;
}

/** `/projects/<key>/sessions/<id>`: details, turns with their cost, subagents, and the message tree. */
export function sessionPage(links: Links, displayUrl: string, view: SessionView): string {
  const { session } = view;
  const facts = html`<dl class="facts" id="facts">
<dt>Session</dt><dd class="mono">${session.sessionId}</dd>
<dt>Project</dt><dd>${session.projectKey}</dd>
${session.tag === null ? '' : html`<dt>Tag</dt><dd>${session.tag}</dd>`}
${session.gitBranch === null ? '' : html`<dt>Branch</dt><dd>${session.gitBranch}</dd>`}
${session.createdAt === null ? '' : html`<dt>Created (UTC)</dt><dd>${formatTime(Date.parse(session.createdAt))}</dd>`}
<dt>Modified (UTC)</dt><dd>${formatTime(Date.parse(session.lastModified))}</dd>
<dt>Size</dt><dd>${session.entries} entries, ${formatBytes(session.bytes)}</dd>
<dt>Tokens</dt><dd>${session.tokens.total} (${usageText(view.usage)})</dd>
<dt>Cost</dt><dd>${formatCost(session.costUsd)} <span class="muted">at list prices; subagents not included</span></dd>
<dt>JSON</dt><dd><a href="${links.api(links.session(view.projectKey, view.sessionId))}">API document</a></dd>
</dl>`;
  return page(
    session.title || session.sessionId,
    [{ label: displayUrl, href: links.projects() }, { label: view.projectKey, href: links.project(view.projectKey) }, { label: short(view.sessionId) }],
    html`${searchForm(links, view.projectKey)}${facts}
<h2>Turns</h2>${turnsSection(view)}
<h2>Subagents</h2>${subkeysSection(links, view)}
<h2>Messages</h2>${structureNote(view)}${treeSection({ view, links, subkeys: view.subkeys })}`,
  );
}

/** `/projects/<key>/sessions/<id>/sub/<subpath>`: a subagent's transcript, drawn like a session. */
export function subkeyPage(links: Links, displayUrl: string, view: TranscriptView): string {
  const subpath = view.subpath ?? '';
  const agentId = agentIdOf(subpath);
  return page(
    agentId === null ? subpath : `Subagent ${agentId}`,
    [
      { label: displayUrl, href: links.projects() },
      { label: view.projectKey, href: links.project(view.projectKey) },
      { label: short(view.sessionId), href: links.session(view.projectKey, view.sessionId) },
      { label: agentId ?? subpath },
    ],
    html`<dl class="facts" id="facts">
<dt>Session</dt><dd class="mono"><a href="${links.session(view.projectKey, view.sessionId)}">${view.sessionId}</a></dd>
<dt>Transcript</dt><dd class="mono">${subpath}</dd>
<dt>Tokens</dt><dd>${view.usage.totalTokens} (${usageText(view.usage)})</dd>
<dt>Cost</dt><dd>${formatCost(view.usage.costUsd)}</dd>
</dl>
<h2>Turns</h2>${turnsSection(view)}
<h2>Messages</h2>${structureNote(view)}${treeSection({ view, links, subkeys: [] })}`,
  );
}
