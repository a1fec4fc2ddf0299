import { createRequire } from 'node:module';
import type { Agent as HttpAgent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type * as Https from 'node:https';
import type * as Http from 'node:http';
import type { Readable } from 'node:stream';
import type * as Tls from 'node:tls';
import type * as Zlib from 'node:zlib';
import { createTunnelAgent, proxyAuthorization } from './proxy-tunnel.js';

/**
 * A `fetch` for the Messages API clients of `AgentExecutor` and `query()`, over `node:http` / `node:https` with
 * keep-alive agents, instead of the global `fetch` (undici).
 *
 * Why: undici parses HTTP with llhttp compiled to WebAssembly. After some dozens of responses V8
 * tiers its parser up with its optimizing WebAssembly compiler on a background thread, which
 * allocates 25–30 MiB of native memory for a while (seen as a hump in the process's RSS with
 * `--liftoff-only` as the control; the bare `@anthropic-ai/sdk` client has it too). `node:http`
 * parses with the native llhttp, so that peak never happens; it also has less per-request
 * overhead than WHATWG fetch. The official SDK's API calls are made by its CLI process, not by the
 * program's `fetch`.
 *
 * With `proxy` (what `query()` reads from `HTTPS_PROXY` / `HTTP_PROXY`, see proxy-environment.ts),
 * https requests go through a `CONNECT` tunnel and http requests are sent to the proxy in absolute
 * form, as curl and the official CLI do.
 *
 * What it does not handle itself it hands to the global `fetch` unchanged: every call while the
 * program has installed a global dispatcher other than a plain `Agent` (a proxy or mock agent), a
 * `Request` object, bodies other than text and bytes, and redirects (re-sent through `fetch`,
 * which follows them).
 * Compressed responses are decompressed as `fetch` does.
 */
export function createNodeFetch(fallback: typeof fetch = globalThis.fetch, options: NodeFetchOptions = {}): typeof fetch {
  const require = createRequire(import.meta.url);
  const { proxy, tls: tlsOptions = {} } = options;
  let plain: Route | undefined;
  let secure: Route | undefined;
  // node:https (and TLS) is loaded for the first https URL only.
  const agentFor = (protocol: string): Route => {
    if (protocol === 'https:') {
      if (secure === undefined) {
        const https = require('node:https') as typeof Https;
        secure =
          proxy === undefined
            ? { agent: new https.Agent({ keepAlive: true, ...tlsOptions }), request: https.request }
            : {
                agent: createTunnelAgent(proxy, { http: require('node:http') as typeof Http, https, tls: require('node:tls') as typeof Tls }, tlsOptions),
                request: https.request,
              };
      }
      return secure;
    }
    if (plain === undefined) {
      if (proxy === undefined) {
        const http = require('node:http') as typeof Http;
        plain = { agent: new http.Agent({ keepAlive: true }), request: http.request };
      } else {
        // Plain http through a proxy: every request goes to the proxy, naming its target in full.
        const transport = (proxy.protocol === 'https:' ? require('node:https') : require('node:http')) as typeof Http;
        plain = {
          agent: new transport.Agent({ keepAlive: true, ...(proxy.protocol === 'https:' ? tlsOptions : {}) }),
          request: transport.request,
          forwardTo: proxy,
          forwardHeaders: proxyAuthorization(proxy),
        };
      }
    }
    return plain;
  };

  return async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    if (typeof input !== 'string' && !(input instanceof URL)) return fallback(input, init);
    if (configuredDispatcher()) return fallback(input, init);
    const url = typeof input === 'string' ? new URL(input) : input;
    const body = init.body;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)) {
      return fallback(input, init);
    }
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body ?? undefined;
    if (payload !== undefined) headers['content-length'] = String(payload.byteLength);
    const { agent, request, forwardTo, forwardHeaders } = agentFor(url.protocol);
    const options: RequestOptions = { method: init.method ?? 'GET', headers, agent };
    if (signal !== undefined) options.signal = signal;
    if (forwardTo !== undefined) {
      options.path = url.href;
      Object.assign(headers, { host: url.host }, forwardHeaders);
    }

    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      let sent: ClientRequest;
      try {
        sent = request(forwardTo ?? url, options, resolve);
      } catch (error) {
        reject(new TypeError('fetch failed', { cause: error }));
        return;
      }
      // As fetch: an abort rejects with the signal's reason, anything else is a TypeError with the cause.
      sent.once('error', (error) => reject(signal?.aborted === true ? (signal.reason as Error) : new TypeError('fetch failed', { cause: error })));
      sent.end(payload);
    });

    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECTS.has(status) && location !== undefined && init.redirect !== 'manual') {
      response.destroy();
      return fallback(input, init);
    }
    const responseHeaders = new Headers();
    const raw = response.rawHeaders;
    for (let index = 0; index + 1 < raw.length; index += 2) responseHeaders.append(raw[index]!, raw[index + 1]!);
    const method = options.method!.toUpperCase();
    if (NULL_BODY.has(status) || method === 'HEAD') {
      response.resume();
      return new Response(null, { status, statusText: response.statusMessage ?? '', headers: responseHeaders });
    }
    const decoded = decode(response, response.headers['content-encoding'], require);
    return new Response(webStream(decoded, response, signal), { status, statusText: response.statusMessage ?? '', headers: responseHeaders });
  };
}

/** Options of {@link createNodeFetch}. */
export type NodeFetchOptions = {
  /** Send every request through this proxy (http:// or https://; credentials in the URL are sent as `Proxy-Authorization`). */
  proxy?: URL;
  /** TLS options of https connections (a test's own `ca`, say); `NODE_EXTRA_CA_CERTS` applies anyway. */
  tls?: Tls.ConnectionOptions;
};

/**
 * How requests for one URL scheme are made: the agent, `request` for it, and for plain http through
 * a proxy, the proxy the request is sent to and the headers it needs (its credentials).
 */
type Route = { agent: HttpAgent; request: typeof Http.request; forwardTo?: URL; forwardHeaders?: Record<string, string> };

let shared: typeof fetch | undefined;

/**
 * The process's one {@link createNodeFetch}: the clients the SDK builds itself share its keep-alive
 * connections, as clients on the global `fetch` share undici's.
 */
export function sharedNodeFetch(): typeof fetch {
  return (shared ??= createNodeFetch());
}

/** Most proxies whose transports are kept (each has its own keep-alive connections). */
const MAX_PROXIED = 8;
const proxied = new Map<string, typeof fetch>();

/** The process's {@link createNodeFetch} through `proxy` (one per proxy URL), or {@link sharedNodeFetch} without one. */
export function nodeFetchVia(proxy: URL | undefined): typeof fetch {
  if (proxy === undefined) return sharedNodeFetch();
  let transport = proxied.get(proxy.href);
  if (transport === undefined) {
    transport = createNodeFetch(globalThis.fetch, { proxy });
    if (proxied.size >= MAX_PROXIED) proxied.delete(proxied.keys().next().value!);
    proxied.set(proxy.href, transport);
  }
  return transport;
}

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * True when the program installed a dispatcher of its own for `fetch` (`setGlobalDispatcher` with a
 * `ProxyAgent`, `EnvHttpProxyAgent`, `MockAgent`, …): its API calls then go where it says. A plain
 * `Agent` is what `fetch` installs for itself on first use, so it does not count.
 */
function configuredDispatcher(): boolean {
  const dispatcher = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  return typeof dispatcher === 'object' && dispatcher !== null && dispatcher.constructor.name !== 'Agent';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The body decompressed as `fetch` does for the codings it accepts. */
function decode(response: IncomingMessage, coding: string | undefined, require: NodeJS.Require): Readable {
  const name = coding?.trim().toLowerCase();
  if (name === undefined || name === '' || name === 'identity') return response;
  const zlib = require('node:zlib') as typeof Zlib;
  const decoder =
    name === 'gzip' || name === 'x-gzip'
      ? zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
      : name === 'deflate'
        ? zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
        : name === 'br'
          ? zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (decoder === undefined) return response;
  response.once('error', (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

/** The response body as a web stream, pulled (and paused) as the reader reads. */
function webStream(source: Readable, response: IncomingMessage, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  let ended = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // After a cancel, what the socket had already received may still be emitted: dropped, as
      // the closed stream would throw (inside an event handler: an uncaught exception).
      source.on('data', (chunk: Buffer) => {
        if (ended) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) source.pause();
      });
      source.once('end', () => {
        if (ended) return;
        ended = true;
        controller.close();
      });
      const fail = (error: unknown): void => {
        if (ended) return;
        ended = true;
        controller.error(signal?.aborted === true ? signal.reason : new TypeError('terminated', { cause: error }));
      };
      source.once('error', fail);
      response.once('aborted', () => fail(new Error('the connection closed before the response ended')));
      response.once('close', () => {
        if (!response.complete) fail(new Error('the connection closed before the response ended'));
      });
    },
    pull() {
      source.resume();
    },
    cancel(reason) {
      ended = true;
      response.destroy(reason instanceof Error ? reason : undefined);
      if (source !== response) source.destroy();
    },
  });
}
