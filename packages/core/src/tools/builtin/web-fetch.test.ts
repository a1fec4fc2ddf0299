import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool, textOf } from './__fixtures__/tool-harness.js';
import { webFetchTool } from './web-fetch.js';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

describe('WebFetch', () => {
  let server: Server;
  let base: string;
  const routes = new Map<string, Route>();
  const requested: string[] = [];

  beforeEach(async () => {
    routes.clear();
    requested.length = 0;
    server = createServer((request, response) => {
      requested.push(request.url ?? '');
      const route = routes.get(request.url ?? '');
      if (route === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
        return;
      }
      route(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const html = (body: string): Route => (_request, response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);

  it('returns an HTML page as text together with the prompt, and the official output fields', async () => {
    routes.set('/page', html('<html><head><title>Docs</title></head><body><h2>Install</h2><p>Run <code>npm i</code>.</p><script>x()</script></body></html>'));
    const outcome = await runTool(webFetchTool(), { url: `${base}/page`, prompt: 'How do I install it?' }, '/');
    const text = textOf(outcome);
    expect(text).toBe(
      `Content of ${base}/page for the request: How do I install it?\nThe page has not been processed by a model: answer the request from the text below.\n\n# Docs\n\n## Install\n\nRun npm i.`,
    );
    expect(outcome.structured).toEqual({ bytes: expect.any(Number), code: 200, codeText: 'OK', result: text, durationMs: expect.any(Number), url: `${base}/page` });
    expect((outcome.structured as { bytes: number }).bytes).toBeGreaterThan(50);
  });

  it('returns text and JSON as they are', async () => {
    routes.set('/data.json', (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}'));
    expect(textOf(await runTool(webFetchTool(), { url: `${base}/data.json`, prompt: 'p' }, '/'))).toMatch(/\n\n\{"a":1\}$/);
  });

  it('follows redirects on the same host and reports redirects to another host', async () => {
    routes.set('/old', (_request, response) => response.writeHead(301, { location: '/new' }).end());
    routes.set('/new', html('<p>moved here</p>'));
    const followed = await runTool(webFetchTool(), { url: `${base}/old`, prompt: 'p' }, '/');
    expect(textOf(followed)).toContain('moved here');
    expect(followed.structured).toMatchObject({ url: `${base}/new`, code: 200 });
    expect(requested).toEqual(['/old', '/new']);

    const elsewhere = base.replace('127.0.0.1', 'localhost');
    routes.set('/away', (_request, response) => response.writeHead(302, { location: `${elsewhere}/new` }).end());
    const reported = await runTool(webFetchTool(), { url: `${base}/away`, prompt: 'p' }, '/');
    expect(reported.isError).toBeUndefined();
    expect(textOf(reported)).toContain(`REDIRECT DETECTED: The URL redirects to a different host.\n\nOriginal URL: ${base}/away\nRedirect URL: ${elsewhere}/new\nStatus: 302 Found`);
    expect(requested.at(-1)).toBe('/away');
  });

  it('stops after too many redirects', async () => {
    routes.set('/loop', (_request, response) => response.writeHead(302, { location: '/loop' }).end());
    const outcome = await runTool(webFetchTool({ maxRedirects: 3 }), { url: `${base}/loop`, prompt: 'p' }, '/');
    expect(outcome).toMatchObject({ isError: true, content: expect.stringContaining('Too many redirects') });
    expect(requested).toHaveLength(4);
  });

  it('reads a long page in parts with offset', async () => {
    routes.set('/long', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('0123456789'.repeat(5)));
    const tool = webFetchTool({ maxChars: 20 });
    const first = textOf(await runTool(tool, { url: `${base}/long`, prompt: 'p' }, '/'));
    expect(first).toContain('\n\n01234567890123456789\n\n[Page text is 50 characters; this is 0-20. Call WebFetch again with offset: 20 to read on.]');
    const last = textOf(await runTool(tool, { url: `${base}/long`, prompt: 'p', offset: 40 }, '/'));
    expect(last.endsWith('\n\n0123456789')).toBe(true);
  });

  it('cuts responses larger than maxBytes', async () => {
    routes.set('/huge', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('z'.repeat(100_000)));
    const outcome = await runTool(webFetchTool({ maxBytes: 1000 }), { url: `${base}/huge`, prompt: 'p' }, '/');
    expect(textOf(outcome)).toContain('[The response was cut after 1000 bytes of');
    expect(textOf(outcome)).toContain(`\n\n${'z'.repeat(1000)}\n\n`);
  });

  it('reports HTTP errors, binary content and bad URLs as is_error results', async () => {
    expect(await runTool(webFetchTool(), { url: `${base}/missing`, prompt: 'p' }, '/')).toMatchObject({
      isError: true,
      content: `Request failed with status code 404 Not Found (${base}/missing)`,
    });
    routes.set('/image', (_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0, 1])));
    expect(await runTool(webFetchTool(), { url: `${base}/image`, prompt: 'p' }, '/')).toMatchObject({ isError: true, content: expect.stringContaining('image/png') });
    expect(await runTool(webFetchTool(), { url: 'ftp://example.com/x', prompt: 'p' }, '/')).toMatchObject({ isError: true, content: expect.stringContaining('Only http and https') });
    expect(await runTool(webFetchTool(), { url: 'not a url', prompt: 'p' }, '/')).toMatchObject({ isError: true, content: expect.stringContaining('Invalid URL') });
    expect(await runTool(webFetchTool(), { url: 'https://user:pw@example.com/', prompt: 'p' }, '/')).toMatchObject({ isError: true, content: expect.stringContaining('credentials') });
    expect(await runTool(webFetchTool(), { url: `${base}/x` }, '/')).toMatchObject({ isError: true, content: expect.stringContaining('prompt') });
    const closedPort = await runTool(webFetchTool(), { url: 'http://127.0.0.1:1/', prompt: 'p' }, '/');
    expect(closedPort).toMatchObject({ isError: true, content: expect.stringContaining('failed') });
  });

  it('upgrades http to https except for loopback hosts, through the fetch option', async () => {
    const asked: string[] = [];
    routes.set('/via-option', html('<p>served locally</p>'));
    // A fetch that records the URL it was given and serves every request from the local server.
    const recordingFetch: typeof fetch = async (input, init) => {
      asked.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return fetch(`${base}/via-option`, init);
    };
    const tool = webFetchTool({ fetch: recordingFetch });
    expect(textOf(await runTool(tool, { url: 'http://example.com/docs', prompt: 'p' }, '/'))).toContain('served locally');
    await runTool(tool, { url: `${base}/via-option`, prompt: 'p' }, '/');
    expect(asked).toEqual(['https://example.com/docs', `${base}/via-option`]);
  });

  it('gives up after the time limit, and stops when the turn is aborted', async () => {
    routes.set('/slow', () => undefined);
    const timedOut = await runTool(webFetchTool({ timeoutMs: 200 }), { url: `${base}/slow`, prompt: 'p' }, '/');
    expect(timedOut).toMatchObject({ isError: true, content: expect.stringContaining('timed out after 200 ms') });

    const controller = new AbortController();
    const pending = runTool(webFetchTool(), { url: `${base}/slow`, prompt: 'p' }, '/', controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
  });

  it('declares a network access with the URL', () => {
    expect(webFetchTool().access?.({ url: 'https://example.com', prompt: 'p' }, '/')).toEqual({ kind: 'network', paths: [], url: 'https://example.com' });
  });
});
