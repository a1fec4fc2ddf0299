import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQuery, InvalidArgumentError } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorForThisFile } from './support/file-emulator.js';
import { collect, emulatorEnvironment } from './support/query-harness.js';

// The official CLI reaches the API through HTTP_PROXY / HTTPS_PROXY (and skips what NO_PROXY
// names): a program swapped to @sdk/compat behind a proxy must keep working with the same
// environment. The emulator is plain http, so HTTP_PROXY applies; https tunnelling is covered in
// packages/core/src/http/proxy.test.ts.
const emulator = await emulatorForThisFile();
let store: InMemorySessionStore;
const query = createQuery({ defaultStore: () => store });

/** Requests the forward proxy passed on, as "METHOD absolute-url". */
const forwarded: string[] = [];
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  proxy = createServer((request, response) => {
    forwarded.push(`${request.method} ${request.url}`);
    const upstream = httpRequest(request.url!, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
});
beforeEach(() => {
  store = new InMemorySessionStore();
  forwarded.length = 0;
});

const run = (env: Record<string, string>) => collect(query({ prompt: 'through the proxy', options: { env: { ...emulatorEnvironment(emulator.url), ...env }, model: 'claude-sonnet-4-5', cwd: '/tmp' } }));

describe('query() behind a proxy named by the environment', () => {
  it('sends its API calls through HTTP_PROXY', async () => {
    const messages = await run({ HTTP_PROXY: proxyUrl });
    expect(messages.at(-1)).toMatchObject({ type: 'result', subtype: 'success', result: 'echo: through the proxy [messages=1]' });
    expect(forwarded).toEqual([`POST ${emulator.url}/v1/messages`]);
    expect(emulator.requests).toHaveLength(1);
  });

  it('goes direct to a host NO_PROXY names, and without a proxy variable', async () => {
    await run({ HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' });
    await run({});
    expect(forwarded).toEqual([]);
    expect(emulator.requests).toHaveLength(2);
  });

  it('rejects a proxy it cannot use at query() time, as other option errors, naming the variable', () => {
    expect(() => run({ HTTP_PROXY: 'socks5://127.0.0.1:1080' })).toThrow(InvalidArgumentError);
    expect(() => run({ HTTP_PROXY: 'socks5://127.0.0.1:1080' })).toThrow(/HTTP_PROXY/);
    expect(emulator.requests).toHaveLength(0);
  });
});
