import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeFetch } from './node-fetch.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A loopback server; counts the connections it accepted. */
async function serve(handler: Handler): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => handler(request, body, response));
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

const unexpectedFallback: typeof fetch = () => Promise.reject(new Error('unexpected fallback'));

describe('createNodeFetch', () => {
  it('sends method, headers and body, returns status, headers and body, and keeps the connection alive', async () => {
    const { url, connections } = await serve((request, body, response) => {
      response.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-echo': String(request.headers['x-test']) });
      response.end(JSON.stringify({ method: request.method, body, length: request.headers['content-length'] }));
    });
    const nodeFetch = createNodeFetch(unexpectedFallback);
    for (let index = 0; index < 3; index++) {
      const response = await nodeFetch(`${url}/v1/messages`, { method: 'POST', headers: new Headers({ 'x-test': 'yes' }), body: 'héllo' });
      expect(response.status).toBe(201);
      expect(response.statusText).toBe('Made');
      expect(response.ok).toBe(true);
      expect(response.headers.get('x-echo')).toBe('yes');
      expect(await response.json()).toEqual({ method: 'POST', body: 'héllo', length: String(Buffer.byteLength('héllo')) });
    }
    expect(connections()).toBe(1);
  });

  it('streams the body as it arrives', async () => {
    let finish = (): void => undefined;
    const { url } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: one\n\n');
      finish = () => response.end('event: two\n\n');
    });
    const response = await createNodeFetch(unexpectedFallback)(url, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value).toString()).toBe('event: one\n\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('event: two\n\n');
  });

  it('stops quietly when the body is cancelled while more of it is arriving', async () => {
    const { url } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 200; index++) response.write(`data: ${'x'.repeat(1000)}\n\n`);
      response.end();
    });
    const nodeFetch = createNodeFetch(unexpectedFallback);
    // Cancelled unread, at once: what was already received still flows out of the socket, and must
    // not reach the closed stream (enqueueing on it throws inside an event handler, uncaught).
    const unread = await nodeFetch(url, { method: 'POST', body: '{}' });
    await unread.body!.cancel();
    // And cancelled by its reader after the first chunk.
    const read = await nodeFetch(url, { method: 'POST', body: '{}' });
    const reader = read.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await reader.closed).toBeUndefined();
  });

  it('rejects with the abort reason, before the response and while its body is read', async () => {
    const { url } = await serve((request, _body, response) => {
      if (request.url === '/slow') return; // never answers
      response.writeHead(200);
      response.write('partial');
    });
    const nodeFetch = createNodeFetch(unexpectedFallback);
    const before = new AbortController();
    const pending = nodeFetch(`${url}/slow`, { signal: before.signal });
    setTimeout(() => before.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const during = new AbortController();
    const response = await nodeFetch(url, { signal: during.signal });
    const reader = response.body!.getReader();
    await reader.read();
    during.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails as fetch does when the server cannot be reached or closes mid-body', async () => {
    const { url } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('short');
      setTimeout(() => response.destroy(), 10);
    });
    const nodeFetch = createNodeFetch(unexpectedFallback);
    await expect(nodeFetch('http://127.0.0.1:1/')).rejects.toThrow(TypeError);
    const response = await nodeFetch(url);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('decompresses gzip and gives no body for 204', async () => {
    const { url } = await serve((request, _body, response) => {
      if (request.url === '/empty') {
        response.writeHead(204);
        response.end();
        return;
      }
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end(gzipSync('{"ok":true}'));
    });
    const nodeFetch = createNodeFetch(unexpectedFallback);
    expect(await (await nodeFetch(url)).json()).toEqual({ ok: true });
    const empty = await nodeFetch(`${url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('hands redirects, Request objects and other bodies to the fallback fetch', async () => {
    const { url } = await serve((_request, _body, response) => {
      response.writeHead(307, { location: '/elsewhere' });
      response.end();
    });
    const calls: unknown[] = [];
    const fallback: typeof fetch = async (input) => {
      calls.push(input);
      return new Response('from fallback');
    };
    const nodeFetch = createNodeFetch(fallback);
    expect(await (await nodeFetch(url, { method: 'POST', body: 'x' })).text()).toBe('from fallback');
    const request = new Request(url);
    await nodeFetch(request);
    await nodeFetch(url, { method: 'POST', body: new FormData() });
    expect(calls).toEqual([url, request, url]);
  });

  it('hands every call to the fallback while the program has installed a dispatcher other than a plain Agent', async () => {
    const { url } = await serve((_request, _body, response) => response.end('direct'));
    const fallback: typeof fetch = async () => new Response('through the dispatcher');
    const nodeFetch = createNodeFetch(fallback);
    const slot = globalThis as Record<symbol, unknown>;
    const key = Symbol.for('undici.globalDispatcher.1');
    const previous = slot[key];
    try {
      slot[key] = new (class ProxyAgent {})();
      expect(await (await nodeFetch(url)).text()).toBe('through the dispatcher');
      slot[key] = new (class Agent {})();
      expect(await (await nodeFetch(url)).text()).toBe('direct');
    } finally {
      slot[key] = previous;
    }
  });
});
