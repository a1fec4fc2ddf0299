import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition, ToolOutcome } from '../tool-runner.js';
import { htmlToText } from './html-to-text.js';
import { optionalInteger, requiredString } from './tool-input.js';
import { errorMessage, toolFailure, toolRejection } from './tool-result.js';

/** How the WebFetch tool fetches. */
export type WebFetchToolOptions = {
  /** The fetch implementation (default the global `fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Response bodies are read up to this many bytes (default 10 MB). */
  maxBytes?: number;
  /** Page text returned per call; `offset` reads on (default 100000 characters). */
  maxChars?: number;
  /** Time limit for the whole fetch, redirects included (default 60000 ms). */
  timeoutMs?: number;
  /** Same-host redirects followed at most (default 10). */
  maxRedirects?: number;
};

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_CHARS = 100_000;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_REDIRECTS = 10;
const MAX_URL_LENGTH = 2000;

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    url: { type: 'string', format: 'uri', description: 'The URL to fetch content from' },
    prompt: { type: 'string', description: 'The prompt to run on the fetched content' },
    offset: {
      type: 'integer',
      minimum: 0,
      description:
        'Character position in the page text to start reading from. Use it to read on through a page too long for one call, with the value the previous result gave.',
    },
  },
  required: ['url', 'prompt'],
  additionalProperties: false,
};

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Hosts that count as the same site for redirects: equal apart from a leading `www.`. */
function sameHost(a: URL, b: URL): boolean {
  const bare = (host: string): string => host.replace(/^www\./, '');
  return bare(a.host) === bare(b.host);
}

/** Validates the URL and upgrades `http:` to `https:` (loopback hosts excepted: local servers rarely speak TLS). */
function targetUrl(raw: string): URL {
  if (raw.length > MAX_URL_LENGTH) throw new InvalidArgumentError(`The URL is longer than ${MAX_URL_LENGTH} characters`, 'url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError(`Invalid URL: ${raw}`, 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`Only http and https URLs can be fetched, not ${url.protocol}`, 'url');
  if (url.username !== '' || url.password !== '') throw new InvalidArgumentError('URLs with credentials cannot be fetched', 'url');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) url.protocol = 'https:';
  return url;
}

async function readCapped(response: Response, maxBytes: number): Promise<{ bytes: Buffer; total: number; capped: boolean }> {
  if (response.body === null) return { bytes: Buffer.alloc(0), total: 0, capped: false };
  const chunks: Buffer[] = [];
  let total = 0;
  // Node's web streams are async iterable; leaving the loop early cancels the body.
  for await (const value of response.body as unknown as AsyncIterable<Uint8Array>) {
    const room = maxBytes - total;
    chunks.push(Buffer.from(value.subarray(0, Math.max(0, room))));
    total += value.length;
    if (total > maxBytes) return { bytes: Buffer.concat(chunks), total, capped: true };
  }
  return { bytes: Buffer.concat(chunks), total, capped: false };
}

function isTextual(contentType: string): boolean {
  return /^text\/|[/+](json|xml|javascript|ecmascript|x-www-form-urlencoded|yaml|csv|markdown)\b/.test(contentType) || contentType === '';
}

/**
 * The built-in `WebFetch` tool: fetches an http(s) URL, turns HTML into markdown-like text and
 * returns it with the caller's prompt. Unlike the CLI it does not run the prompt through a second
 * model: the page text itself comes back, in pages of `maxChars` characters.
 */
export function webFetchTool(options: WebFetchToolOptions = {}): ToolDefinition {
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  async function fetchPage(start: URL, prompt: string, offset: number, signal: AbortSignal): Promise<ToolOutcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let url = start;
    let response: Response;
    for (let redirects = 0; ; redirects += 1) {
      response = await fetchImplementation(url, { redirect: 'manual', signal, headers: { accept: 'text/markdown, text/html, */*' } });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) break;
      await response.body?.cancel();
      const next = new URL(location, url);
      if (!sameHost(url, next) || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
        const result = `REDIRECT DETECTED: The URL redirects to a different host.\n\nOriginal URL: ${url.href}\nRedirect URL: ${next.href}\nStatus: ${response.status} ${response.statusText}\n\nTo fetch the redirected page, call WebFetch again with url: ${next.href}`;
        return { content: result, structured: { bytes: 0, code: response.status, codeText: response.statusText, result, durationMs: elapsed(), url: url.href } };
      }
      if (redirects >= maxRedirects) return toolFailure(`Too many redirects (more than ${maxRedirects}) fetching ${start.href}`);
      url = next;
    }
    const { bytes, total, capped } = await readCapped(response, maxBytes);
    if (response.status >= 400) return toolFailure(`Request failed with status code ${response.status} ${response.statusText} (${url.href})`);
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!isTextual(contentType) || (contentType === '' && bytes.subarray(0, 8192).includes(0))) {
      return toolFailure(`Cannot show content of type ${contentType || 'unknown (binary)'} from ${url.href}: WebFetch returns text and HTML pages only.`);
    }
    const body = bytes.toString('utf8');
    const text = contentType === 'text/html' || contentType === 'application/xhtml+xml' ? htmlToText(body, url.href) : body;
    const page = text.slice(offset, offset + maxChars);
    const end = offset + page.length;
    const notes = [
      ...(capped ? [`[The response was cut after ${maxBytes} bytes of ${total}.]`] : []),
      ...(end < text.length ? [`[Page text is ${text.length} characters; this is ${offset}-${end}. Call WebFetch again with offset: ${end} to read on.]`] : []),
      ...(offset > 0 && page === '' ? [`[The page text has only ${text.length} characters: nothing at offset ${offset}.]`] : []),
    ];
    const result = [
      `Content of ${url.href} for the request: ${prompt}`,
      'The page has not been processed by a model: answer the request from the text below.',
      '',
      page,
      ...(notes.length === 0 ? [] : ['', ...notes]),
    ].join('\n');
    return { content: result, structured: { bytes: total, code: response.status, codeText: response.statusText, result, durationMs: elapsed(), url: url.href } };
  }

  return {
    name: 'WebFetch',
    description:
      'Fetches a web page by URL (http is upgraded to https) and returns its text, HTML converted to markdown-like text, together with the prompt saying what to look for. Redirects to another host are reported instead of followed. Long pages come in parts: pass offset to read on. Read-only.',
    inputSchema: INPUT_SCHEMA,
    access: (input) => ({ kind: 'network', paths: [], ...(typeof input.url === 'string' ? { url: input.url } : {}) }),
    async run(input, context) {
      let url: URL;
      let prompt: string;
      let offset: number;
      try {
        url = targetUrl(requiredString(input, 'url'));
        prompt = requiredString(input, 'prompt');
        offset = optionalInteger(input, 'offset', 0) ?? 0;
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        return await fetchPage(url, prompt, offset, signal);
      } catch (error) {
        if (context.signal.aborted) throw error;
        if (signal.aborted) return toolFailure(`Fetching ${url.href} timed out after ${timeoutMs} ms`);
        return toolFailure(`Fetching ${url.href} failed: ${errorMessage((error as { cause?: unknown }).cause ?? error)}`);
      }
    },
  };
}
