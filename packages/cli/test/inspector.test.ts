import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { escapeHtml, html } from '../src/inspector/html.js';
import { cli, conversationCost, tempFileStore } from './helpers.js';
import { AGENT_ID, PROJECT, SEARCH_WORD, seedInspectorStore, startInspect, XSS_PROMPT } from './inspector-fixture.js';
import type { InspectorFixture, RunningInspector } from './inspector-fixture.js';

/** A GET (or other method) with full control of the Host header, which fetch() does not allow. */
function raw(url: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const sent = request(
      { agent: false, host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: options.method ?? 'GET', headers: { host: options.host ?? target.host } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      },
    );
    sent.on('error', reject);
    sent.end();
  });
}

describe('inspect over HTTP', () => {
  let store: Awaited<ReturnType<typeof tempFileStore>>;
  let fixture: InspectorFixture;
  let inspector: RunningInspector;
  let base: string;

  beforeAll(async () => {
    store = await tempFileStore();
    fixture = await seedInspectorStore(store.url);
    inspector = await startInspect(store.url);
    base = inspector.url.replace(/\/$/, '');
  });
  afterAll(async () => {
    await inspector?.stop();
    await store?.remove();
  });

  it('serves on 127.0.0.1 with a long random token in the path', () => {
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/$/);
  });

  it('answers 403 without the token, with a wrong one, and for a foreign Host header', async () => {
    const origin = new URL(inspector.url).origin;
    const token = new URL(inspector.url).pathname.split('/')[1]!;
    expect((await raw(`${origin}/`)).status).toBe(403);
    expect((await raw(`${origin}/api/projects`)).status).toBe(403);
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const denied = await raw(`${origin}/${wrong}/projects/${PROJECT}`);
    expect(denied.status).toBe(403);
    expect(denied.body).not.toContain(PROJECT);
    expect((await raw(`${origin}/${token}x/`)).status).toBe(403);
    expect((await raw(`${origin}/?token=${token}`)).status).toBe(403);
    expect((await raw(inspector.url, { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw(inspector.url)).status).toBe(200);
  });

  it('is read-only: other methods than GET and HEAD get 405 and change nothing', async () => {
    const session = `${base}/projects/${PROJECT}/sessions/${fixture.xss.sessionId}`;
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await raw(session, { method });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
    }
    const head = await raw(session, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const shown = await cli(['show', fixture.xss.sessionId, '--store', store.url, '--json']);
    expect(shown.code).toBe(ExitCode.ok);
  });

  it('sends a policy that forbids scripts, no caching and no referrer', async () => {
    const response = await raw(inspector.url);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).not.toContain('script-src');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('lists projects and sessions as JSON, the rows of list --json', async () => {
    const projects = JSON.parse((await raw(`${base}/api/projects`)).body);
    expect(projects).toEqual({ store: store.url, projects: [{ projectKey: PROJECT, sessions: 3, lastModified: expect.any(String) }] });
    const sessions = JSON.parse((await raw(`${base}/api/projects/${PROJECT}`)).body);
    const listed = JSON.parse((await cli(['list', '--store', store.url, '--json'])).stdout);
    expect(sessions).toEqual({ projectKey: PROJECT, sessions: listed.sessions });
  });

  it('gives a session its tree (one fork, one boundary), turns with cost, and its subagent', async () => {
    const document = JSON.parse((await raw(`${base}/api/projects/${PROJECT}/sessions/${fixture.branched.sessionId}`)).body);
    expect(document.entries).toEqual(fixture.branched.entries);
    expect(document.tree.forks).toBe(1);
    expect(document.tree.boundaries).toBe(1);
    expect(document.tree.roots).toEqual([fixture.branched.entries[0]!.uuid, fixture.branched.boundary]);
    const forkNode = document.tree.nodes.find((node: { uuid: string }) => node.uuid === fixture.branched.forkPoint);
    expect(forkNode.children).toHaveLength(2);
    // Turns: the two prompts of the base conversation, the branch's prompt, the prompt after compaction.
    expect(document.turns.map((turn: { turn: number; apiCalls: number }) => [turn.turn, turn.apiCalls])).toEqual([
      [1, 2],
      [2, 1],
      [3, 2],
      [4, 1],
    ]);
    const turnCost = document.turns.reduce((sum: number, turn: { costUsd: number }) => sum + turn.costUsd, 0);
    expect(turnCost).toBeCloseTo(conversationCost(6), 5);
    expect(document.costUsd).toBeCloseTo(document.session.costUsd, 6);
    expect(document.subagents).toEqual([
      expect.objectContaining({ subpath: `subagents/agent-${AGENT_ID}`, agentId: AGENT_ID, prompt: 'Summarize CONTRIBUTING.md', entries: 2 }),
    ]);
    const sub = JSON.parse((await raw(`${base}/api/projects/${PROJECT}/sessions/${fixture.branched.sessionId}/sub/subagents/agent-${AGENT_ID}`)).body);
    expect(sub.entries).toEqual(fixture.branched.subagent);
    expect(sub.costUsd).toBeCloseTo(conversationCost(1), 5);
  });

  it('searches the text of a project\'s sessions', async () => {
    const found = JSON.parse((await raw(`${base}/api/projects/${PROJECT}/search?q=${encodeURIComponent(SEARCH_WORD.toUpperCase())}`)).body);
    expect(found.results.map((hit: { session: { sessionId: string } }) => hit.session.sessionId)).toEqual([fixture.searchable.sessionId]);
    expect(found.results[0].matches[0].snippet).toContain(SEARCH_WORD);
    // Tool results are searched too: every base conversation read the README.
    const readme = JSON.parse((await raw(`${base}/api/projects/${PROJECT}/search?q=Hello%20from%20the%20README`)).body);
    expect(readme.results).toHaveLength(3);
    const none = JSON.parse((await raw(`${base}/api/projects/${PROJECT}/search?q=nothing-like-this`)).body);
    expect(none.results).toEqual([]);
  });

  it('answers 404 for unknown sessions and paths, 400 for bad keys', async () => {
    expect((await raw(`${base}/api/projects/${PROJECT}/sessions/8c0e4c7e-4c55-4a4e-9a4a-0f6f0f1b2b7e`)).status).toBe(404);
    expect((await raw(`${base}/projects/${PROJECT}/sessions/8c0e4c7e-4c55-4a4e-9a4a-0f6f0f1b2b7e`)).status).toBe(404);
    expect((await raw(`${base}/nowhere`)).status).toBe(404);
    expect((await raw(`${base}/api/projects/${PROJECT}/sessions/not-a-uuid`)).status).toBe(400);
    expect((await raw(`${base}/api/projects/..%2Fetc/sessions/${fixture.xss.sessionId}`)).status).toBe(400);
  });

  it('escapes user data in pages', async () => {
    const page = (await raw(`${base}/projects/${PROJECT}/sessions/${fixture.xss.sessionId}`)).body;
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain(escapeHtml(XSS_PROMPT));
    expect(page).not.toMatch(/<script/i);
  });
});

describe('inspect', () => {
  it('stops serving when interrupted and exits 0', async () => {
    const store = await tempFileStore();
    try {
      const inspector = await startInspect(store.url);
      expect((await raw(inspector.url)).status).toBe(200);
      const result = await inspector.stop();
      expect(result.code).toBe(ExitCode.ok);
      expect(result.stderr).toContain('read-only on 127.0.0.1:');
      await expect(raw(inspector.url)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await store.remove();
    }
  });

  it('prints the URL as JSON with --json', async () => {
    const store = await tempFileStore();
    try {
      const interrupt = new AbortController();
      const pending = cli(['inspect', '--store', store.url, '--open=false', '--json'], { signal: interrupt.signal });
      await new Promise((resolve) => setTimeout(resolve, 300));
      interrupt.abort();
      const result = await pending;
      expect(result.code).toBe(ExitCode.ok);
      expect(Object.keys(JSON.parse(result.stdout)).sort()).toEqual(['port', 'store', 'url']);
    } finally {
      await store.remove();
    }
  });

  it.each([
    [['--port', '70000'], /--port must be 0 \(any free port\) to 65535/],
    [['--port', 'http'], /--port must be/],
    [['--open=maybe'], /--open must be true or false/],
    [['--open=false', '--no-open'], /not both/],
  ])('rejects %j with exit code 2', async (options, message) => {
    const result = await cli(['inspect', '--store', 'memory:', ...options]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(message);
  });

  it('reports an unreachable store with exit code 4 before serving', async () => {
    const result = await cli(['inspect', '--store', 'redis://127.0.0.1:1/0', '--open=false']);
    expect(result.code).toBe(ExitCode.storeUnavailable);
    expect(result.stdout).toBe('');
  });
});

describe('html templates', () => {
  it('escape every interpolated value, including inside attributes and lists', () => {
    const value = `"><script>alert('x')</script>&`;
    expect(html`<a title="${value}">${[value, html`<b>${value}</b>`]}</a>`.value).toBe(
      `<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;<b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</b></a>`,
    );
  });
});
