import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, InvalidSessionKeyError, SessionNotFoundError, StoreUnavailableError } from '@sdk/core';
import type { OpenedStore } from '../opened-store.js';
import { isAccessToken, newAccessToken } from './access-token.js';
import { sessionDocument, transcriptDocument } from './api-documents.js';
import { InspectorData } from './inspector-data.js';
import { errorPage, projectsPage, searchPage, sessionsPage } from './list-pages.js';
import { linksFor, parseRoute } from './routes.js';
import type { Links, Route } from './routes.js';
import { sessionPage, subkeyPage } from './transcript-page.js';

/** The loopback address: the inspector is never reachable from another machine. */
export const INSPECTOR_HOST = '127.0.0.1';

/** Options of {@link startInspector}. */
export type InspectorOptions = {
  /** 0 (the default) lets the system pick a free port. */
  port?: number;
  /** Fixed only in tests; otherwise a fresh random token per start. */
  token?: string;
  /** Told about requests that failed on the server's side (500), for the command's stderr. */
  onError?: (error: unknown) => void;
};

/** A running inspector. */
export type Inspector = {
  /** The address to open, token included. */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  /** Stops listening and drops open connections (browsers keep them alive). */
  close(): Promise<void>;
};

/**
 * Headers of every response. No page has a script, and the policy forbids scripts outright: a
 * transcript can hold any markup, and this way even an escaping mistake could not run it. The token
 * is in the URL, so nothing may be cached and no Referer may carry the URL elsewhere.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

type Reply = { status: number; type: 'html' | 'json' | 'text'; body: string; headers?: Record<string, string> };

function send(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
  const type = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8', text: 'text/plain; charset=utf-8' }[reply.type];
  response.writeHead(reply.status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

function statusOf(error: unknown): number {
  if (error instanceof SessionNotFoundError) return 404;
  if (error instanceof InvalidSessionKeyError || error instanceof InvalidArgumentError) return 400;
  if (error instanceof StoreUnavailableError) return 503;
  return 500;
}

/** Answers one routed request: an HTML page or its JSON document. Only reads the store. */
async function answer(data: InspectorData, links: Links, displayUrl: string, route: Route, api: boolean): Promise<Reply> {
  const json = (value: unknown): Reply => ({ status: 200, type: 'json', body: `${JSON.stringify(value, null, 2)}\n` });
  const htmlReply = (body: string): Reply => ({ status: 200, type: 'html', body });
  switch (route.kind) {
    case 'projects': {
      const projects = await data.projects();
      return api ? json({ store: displayUrl, projects }) : htmlReply(projectsPage(links, displayUrl, projects));
    }
    case 'sessions': {
      const sessions = await data.sessions(route.projectKey);
      return api ? json({ projectKey: route.projectKey, sessions }) : htmlReply(sessionsPage(links, displayUrl, route.projectKey, sessions));
    }
    case 'search': {
      const results = await data.search(route.projectKey, route.query);
      return api ? json({ projectKey: route.projectKey, query: route.query, results }) : htmlReply(searchPage(links, displayUrl, route.projectKey, route.query, results));
    }
    case 'session': {
      const view = await data.session(route.projectKey, route.sessionId);
      return api ? json(sessionDocument(view)) : htmlReply(sessionPage(links, displayUrl, view));
    }
    case 'subkey': {
      const view = await data.subkey(route.projectKey, route.sessionId, route.subpath);
      return api ? json(transcriptDocument(view)) : htmlReply(subkeyPage(links, displayUrl, view));
    }
  }
}

/**
 * Serves the read-only inspector of `opened` on 127.0.0.1. Every request must start its path with
 * the token (`/<token>/…`); anything else, and any Host other than the loopback address the server
 * listens on (a DNS-rebinding page), gets 403. Only GET and HEAD are answered: there is no route that
 * changes anything.
 */
export async function startInspector(opened: OpenedStore, options: InspectorOptions = {}): Promise<Inspector> {
  const token = options.token ?? newAccessToken();
  const links = linksFor(token);
  const data = new InspectorData(opened);
  let port = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const host = request.headers.host;
    if (host !== `${INSPECTOR_HOST}:${port}` && host !== `localhost:${port}`) {
      send(request, response, { status: 403, type: 'text', body: 'forbidden: unexpected Host header\n' });
      return;
    }
    const url = new URL(request.url ?? '/', `http://${INSPECTOR_HOST}`);
    const [, first, ...rest] = url.pathname.split('/');
    if (!isAccessToken(first, token)) {
      send(request, response, { status: 403, type: 'text', body: 'forbidden: this address needs the token sdk-sessions inspect printed\n' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(request, response, { status: 405, type: 'text', body: 'the inspector is read-only: GET and HEAD only\n', headers: { Allow: 'GET, HEAD' } });
      return;
    }
    if (rest.length === 0) {
      send(request, response, { status: 302, type: 'text', body: '', headers: { Location: links.projects() } });
      return;
    }
    let segments: string[];
    try {
      segments = (rest.at(-1) === '' ? rest.slice(0, -1) : rest).map((segment) => decodeURIComponent(segment));
    } catch {
      send(request, response, { status: 400, type: 'text', body: 'malformed path\n' });
      return;
    }
    const parsed = parseRoute(segments, url.searchParams);
    if (!parsed) {
      send(request, response, { status: 404, type: 'html', body: errorPage(links, 404, `nothing at ${url.pathname.slice(token.length + 1)}`) });
      return;
    }
    try {
      send(request, response, await answer(data, links, opened.displayUrl, parsed.route, parsed.api));
    } catch (error) {
      const status = statusOf(error);
      if (status === 500) options.onError?.(error);
      const message = error instanceof Error ? error.message : String(error);
      send(request, response, parsed.api ? { status, type: 'json', body: `${JSON.stringify({ error: message })}\n` } : { status, type: 'html', body: errorPage(links, status, message) });
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, INSPECTOR_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${INSPECTOR_HOST}:${port}${links.projects()}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
