import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { tempFileStore } from './helpers.js';
import { AGENT_ID, PROJECT, SEARCH_WORD, seedInspectorStore, startInspect, XSS_PROMPT } from './inspector-fixture.js';
import type { InspectorFixture, RunningInspector } from './inspector-fixture.js';

/** Where the screenshots go, one per page visited, for a person to review after the run. */
const SCREENSHOTS = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));
/** Debian's chromium; `.ci/run` installs it. */
const CHROMIUM = '/usr/bin/chromium';

// Generous per-test time: Chromium shares two cores with the other test files.
describe('inspect in headless Chromium', { timeout: 60_000 }, () => {
  let store: Awaited<ReturnType<typeof tempFileStore>>;
  let fixture: InspectorFixture;
  let inspector: RunningInspector;
  let browser: Browser;
  let page: Page;
  /** Errors the page threw and dialogs it opened: an executed injected script would show up here. */
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  const shoot = async (name: string): Promise<void> => {
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    store = await tempFileStore();
    fixture = await seedInspectorStore(store.url);
    inspector = await startInspect(store.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    const stopped = await inspector?.stop();
    await store?.remove();
    expect(stopped?.code).toBe(ExitCode.ok);
  });

  it('loads the project list', async () => {
    const response = await page.goto(inspector.url);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Projects · sdk-sessions inspect');
    const projects = page.locator('#projects tbody tr');
    await expect(projects.count()).resolves.toBe(1);
    await expect(projects.first().innerText()).resolves.toMatch(new RegExp(`^${PROJECT}\\s+3\\s+`));
    await shoot('01-projects');
  });

  it('navigates to the project\'s sessions, newest first, with size, tokens and cost', async () => {
    await page.goto(inspector.url);
    await page.getByRole('link', { name: PROJECT }).click();
    await page.waitForURL(/\/projects\/-work-project$/);
    const rows = page.locator('#sessions tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    const sessions = await Promise.all((await rows.all()).map((row) => row.getAttribute('data-session')));
    expect(new Set(sessions)).toEqual(new Set([fixture.branched.sessionId, fixture.xss.sessionId, fixture.searchable.sessionId]));
    const branchedRow = page.locator(`#sessions tr[data-session="${fixture.branched.sessionId}"]`);
    await expect(branchedRow.innerText()).resolves.toMatch(/Read the README please[\s\S]*15\s+7\.\d KiB\s+7\.0k\s+\$0\.0065/);
    await shoot('02-sessions');
  });

  it('shows a session: the tree with its fork and compaction boundary, turns and subagents', async () => {
    await page.goto(inspector.url);
    await page.getByRole('link', { name: PROJECT }).click();
    await page.getByRole('link', { name: 'Read the README please' }).click();
    await page.waitForURL(new RegExp(`/sessions/${fixture.branched.sessionId}$`));
    await expect(page.locator('h1').innerText()).resolves.toBe('Read the README please');
    await expect(page.locator('#structure').innerText()).resolves.toBe('15 entries · 1 fork · 1 compaction boundary');

    const fork = page.locator(`li.fork[data-fork="${fixture.branched.forkPoint}"]`);
    await expect(fork.count()).resolves.toBe(1);
    const branches = fork.locator(':scope > div.branch');
    await expect(branches.count()).resolves.toBe(2);
    await expect(branches.nth(0).innerText()).resolves.toContain('And the license?');
    await expect(branches.nth(1).innerText()).resolves.toContain('Actually, read CONTRIBUTING instead');

    const boundary = page.locator('li.node.boundary');
    await expect(boundary.count()).resolves.toBe(1);
    await expect(boundary.getAttribute('data-uuid')).resolves.toBe(fixture.branched.boundary);
    await expect(boundary.innerText()).resolves.toMatch(/compaction boundary[\s\S]*History above was summarized \(manual, 48\.2k tokens before\)\. Continues from/);
    // The boundary starts a second root: it is not drawn inside the branch it summarized.
    await expect(page.locator('section.tree > ol.chain').count()).resolves.toBe(2);

    const turns = page.locator('#turns tbody tr');
    await expect(turns.count()).resolves.toBe(4);
    await expect(turns.nth(2).innerText()).resolves.toMatch(/^3\s.*Actually, read CONTRIBUTING instead\s+2\s+200\s+40\s+2000\s+100\s+\$0\.0022$/);
    await expect(page.locator('#turns tfoot').innerText()).resolves.toMatch(/Total\s+6\s+600\s+120\s+6000\s+300\s+\$0\.0065/);
    // Usage is shown once per API call, on its last entry.
    await expect(page.locator('li.node .usage').count()).resolves.toBe(6);

    await expect(page.locator('#subagents tbody tr').innerText()).resolves.toMatch(new RegExp(`^${AGENT_ID}\\s+Summarize CONTRIBUTING\\.md\\s+2\\s+1\\.2k\\s+\\$0\\.0011$`));
    await shoot('03-session');
  });

  it('opens a subagent\'s transcript from the session and from the tool result that launched it', async () => {
    const session = `${inspector.url}projects/${PROJECT}/sessions/${fixture.branched.sessionId}`;
    await page.goto(session);
    await page.locator('#subagents').getByRole('link', { name: AGENT_ID }).click();
    await page.waitForURL(new RegExp(`/sub/subagents/agent-${AGENT_ID}$`));
    await expect(page.locator('h1').innerText()).resolves.toBe(`Subagent ${AGENT_ID}`);
    const nodes = page.locator('li.node');
    await expect(nodes.count()).resolves.toBe(2);
    await expect(nodes.nth(0).innerText()).resolves.toMatch(/sidechain[\s\S]*Summarize CONTRIBUTING\.md/);
    await shoot('04-subagent');

    await page.goto(session);
    await page.locator('a.subagent-link').click();
    await page.waitForURL(new RegExp(`/sub/subagents/agent-${AGENT_ID}$`));
    await page.getByRole('link', { name: fixture.branched.sessionId.slice(0, 8), exact: true }).click();
    await page.waitForURL(new RegExp(`/sessions/${fixture.branched.sessionId}$`));
  });

  it('searches the text of the project\'s sessions from the search box', async () => {
    await page.goto(`${inspector.url}projects/${PROJECT}`);
    await page.getByRole('searchbox', { name: 'Search' }).fill(SEARCH_WORD);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=zebra-unicorn$/);
    await expect(page.locator('#result-count').innerText()).resolves.toBe('1 session matches.');
    const hit = page.locator('#results > li');
    await expect(hit.getAttribute('data-session')).resolves.toBe(fixture.searchable.sessionId);
    await expect(hit.locator('mark').first().innerText()).resolves.toBe(SEARCH_WORD);
    await shoot('05-search');
    await hit.locator('ul a').first().click();
    await page.waitForURL(new RegExp(`/sessions/${fixture.searchable.sessionId}#e-`));
    await expect(page.locator('li.node:target').innerText()).resolves.toContain(SEARCH_WORD);

    await page.goto(`${inspector.url}projects/${PROJECT}/search?q=${encodeURIComponent('no session says this')}`);
    await expect(page.locator('#no-results').count()).resolves.toBe(1);
  });

  it('shows markup from a transcript as text and never runs it', async () => {
    await page.goto(`${inspector.url}projects/${PROJECT}`);
    // Titles are cut to fit the table; the markup is there as text.
    await expect(page.locator(`#sessions tr[data-session="${fixture.xss.sessionId}"] a`).innerText()).resolves.toMatch(/^Is this escaped\? <script>window\.__pwned = 1<\/script><img src=x /);
    await page.goto(`${inspector.url}projects/${PROJECT}/sessions/${fixture.xss.sessionId}`);
    await expect(page.locator('h1').innerText()).resolves.toBe(XSS_PROMPT);
    await expect(page.locator('li.node.type-user .body').first().innerText()).resolves.toBe(XSS_PROMPT);
    // Parsed as markup, the prompt would have added a script and an image element to the page.
    await expect(page.locator('main script, main img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await page.goto(`${inspector.url}projects/${PROJECT}/search?q=${encodeURIComponent('<script>')}`);
    await expect(page.locator('#results > li').getAttribute('data-session')).resolves.toBe(fixture.xss.sessionId);
    await expect(page.locator('#results mark').first().innerText()).resolves.toBe('<script>');
    await expect(page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    await shoot('06-escaping');
  });

  it('refuses a wrong token with 403 and shows nothing of the store', async () => {
    const url = new URL(inspector.url);
    const token = url.pathname.split('/')[1]!;
    const response = await page.goto(`${url.origin}/${token.split('').reverse().join('')}/projects/${PROJECT}`);
    expect(response?.status()).toBe(403);
    await expect(page.locator('body').innerText()).resolves.toContain('forbidden');
    await expect(page.content()).resolves.not.toContain(PROJECT);
    await shoot('07-wrong-token');
    expect((await page.goto(`${url.origin}/`))?.status()).toBe(403);
  });
});
