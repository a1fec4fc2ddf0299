import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { createNodeFetch } from './node-fetch.js';
import { proxyFor } from './proxy-environment.js';

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const CERT = fixture('loopback-cert.pem');
const KEY = fixture('loopback-key.pem');
const unexpectedFallback: typeof fetch = () => Promise.reject(new Error('unexpected fallback'));

const servers: Server[] = [];
/** Tunnel sockets, which a server hands over on CONNECT and no longer closes itself. */
const tunnels: Socket[] = [];
afterEach(async () => {
  for (const socket of tunnels.splice(0)) socket.destroy();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The API stand-in: answers every request with what it received. */
async function target(secure: boolean): Promise<string> {
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ path: request.url, body, host: request.headers.host, proxyAuthorization: request.headers['proxy-authorization'] ?? null }));
    });
  };
  const server = secure ? createTlsServer({ key: KEY, cert: CERT }, handler) : createServer(handler);
  const port = await listen(server);
  return `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
}

/** A forward proxy as corporate networks run them: absolute-form requests for http, CONNECT tunnels for https. */
async function proxy(options: { refuse?: number } = {}): Promise<{ url: string; seen: string[]; authorizations: Array<string | undefined> }> {
  const seen: string[] = [];
  const authorizations: Array<string | undefined> = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    authorizations.push(request.headers['proxy-authorization']);
    const forwarded = httpRequest(request.url!, { method: request.method, headers: request.headers }, (upstream) => {
      response.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(response);
    });
    request.pipe(forwarded);
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${request.url}`);
    authorizations.push(request.headers['proxy-authorization']);
    if (options.refuse !== undefined) {
      client.end(`HTTP/1.1 ${options.refuse} Refused\r\n\r\n`);
      return;
    }
    const [host, port] = request.url!.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.push(client, upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, seen, authorizations };
}

describe('proxyFor', () => {
  const https = new URL('https://api.anthropic.com/v1/messages');
  const http = new URL('http://127.0.0.1:8080/v1/messages');

  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, the lower-case name first', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://other:1' })?.href).toBe('http://proxy:3128/');
    expect(proxyFor(http, { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://other:1' })?.href).toBe('http://other:1/');
    expect(proxyFor(https, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })?.host).toBe('lower:1');
    expect(proxyFor(https, {})).toBeUndefined();
    expect(proxyFor(https, { HTTPS_PROXY: '' })).toBeUndefined();
  });

  it('reads a proxy without a scheme as an http proxy', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'proxy.corp:3128' })?.href).toBe('http://proxy.corp:3128/');
  });

  it('skips hosts NO_PROXY names: exact, domain suffix, leading dot or *., port, *', () => {
    const via = (noProxy: string, url = https): string | undefined => proxyFor(url, { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy })?.host;
    expect(via('api.anthropic.com')).toBeUndefined();
    expect(via('anthropic.com')).toBeUndefined();
    expect(via('.anthropic.com')).toBeUndefined();
    expect(via('*.anthropic.com')).toBeUndefined();
    expect(via('example.com, localhost')).toBe('p:1');
    expect(via('thropic.com')).toBe('p:1');
    expect(via('*')).toBeUndefined();
    expect(via('127.0.0.1', http)).toBeUndefined();
    expect(via('127.0.0.1:8080', http)).toBeUndefined();
    expect(via('127.0.0.1:9090', http)).toBe('p:1');
    expect(via('api.anthropic.com:443')).toBeUndefined();
    expect(proxyFor(https, { HTTPS_PROXY: 'http://p:1', no_proxy: 'anthropic.com', NO_PROXY: '' })).toBeUndefined();
  });

  it('rejects what is not an http(s) proxy URL, naming the variable', () => {
    expect(() => proxyFor(https, { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(InvalidArgumentError);
    expect(() => proxyFor(https, { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(/HTTPS_PROXY: only http:\/\/ and https:\/\//);
    expect(() => proxyFor(https, { https_proxy: 'http://[bad' })).toThrow(/https_proxy: not a proxy URL/);
  });
});

describe('createNodeFetch through a proxy', () => {
  it('sends an http request to the proxy in absolute form, with the proxy credentials', async () => {
    const api = await target(false);
    const forward = await proxy();
    const withCredentials = new URL(forward.url);
    withCredentials.username = 'user';
    withCredentials.password = 's3cret:x';
    const nodeFetch = createNodeFetch(unexpectedFallback, { proxy: withCredentials });
    const response = await nodeFetch(`${api}/v1/messages?beta=true`, { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(200);
    const echoed = (await response.json()) as { path: string; body: string; host: string };
    expect(echoed).toMatchObject({ path: '/v1/messages?beta=true', body: '{"a":1}', host: new URL(api).host });
    expect(forward.seen).toEqual([`POST ${api}/v1/messages?beta=true`]);
    expect(forward.authorizations).toEqual([`Basic ${Buffer.from('user:s3cret:x').toString('base64')}`]);
  });

  it('tunnels https with CONNECT, speaks TLS with the API itself, and keeps the tunnel for the next request', async () => {
    const api = await target(true);
    const tunnel = await proxy();
    const nodeFetch = createNodeFetch(unexpectedFallback, { proxy: new URL(tunnel.url), tls: { ca: CERT } });
    for (let index = 0; index < 3; index++) {
      const response = await nodeFetch(`${api}/v1/messages`, { method: 'POST', body: `call ${index}` });
      expect(((await response.json()) as { body: string; proxyAuthorization: unknown }).body).toBe(`call ${index}`);
    }
    expect(tunnel.seen).toEqual([`CONNECT ${new URL(api).host}`]);
    // The API never sees the proxy's credentials (none here) nor the proxy the request.
    expect(tunnel.authorizations).toEqual([undefined]);
  });

  it('checks the API certificate through the tunnel', async () => {
    const api = await target(true);
    const tunnel = await proxy();
    const nodeFetch = createNodeFetch(unexpectedFallback, { proxy: new URL(tunnel.url) });
    const failure = await nodeFetch(`${api}/v1/messages`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toMatch(/self[- ]signed/i);
  });

  it('fails with fetch\'s TypeError, saying why, when the proxy refuses the tunnel', async () => {
    const api = await target(true);
    const tunnel = await proxy({ refuse: 407 });
    const nodeFetch = createNodeFetch(unexpectedFallback, { proxy: new URL(tunnel.url), tls: { ca: CERT } });
    const failure = await nodeFetch(`${api}/v1/messages`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toContain('refused to tunnel');
    expect(String((failure as TypeError).cause)).toContain('407');
  });
});
