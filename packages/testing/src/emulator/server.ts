import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { echoReply } from './builders.js';
import { assertValidOptions, assertValidReply, describeInvalidReply } from './check-reply.js';
import { generateId } from './identifiers.js';
import { EMULATOR_MODELS, modelListPage } from './models.js';
import { estimateInputTokens } from './token-estimate.js';
import type {
  EmulatorMessageReply,
  EmulatorOptions,
  EmulatorReply,
  EmulatorResponder,
  MessagesEmulator,
  RecordedRequest,
} from './types.js';
import { validateMessagesRequest } from './validate-request.js';
import { flattenHeaders, readBody, sendError, sendJson } from './http-exchange.js';
import { encodeEvent, materializeMessage, streamEvents } from './wire-format.js';

/** HTTP status the real API uses for a mid-stream error type when a non-streaming request gets a `stream-error` fault. */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/**
 * Starts an emulator of the Anthropic Messages API on a local port.
 *
 * `POST /v1/messages` serves queued replies first (FIFO), then `options.respond`, then {@link echoReply};
 * `POST /v1/messages/count_tokens` and `GET /v1/models` answer from deterministic tables; any other path is a
 * recorded 404. Requests that fail validation get the real API's 400 and do not consume a queued reply.
 *
 * @throws InvalidArgumentError (from `@sdk/core`) for unusable options; `enqueue` throws it for malformed replies.
 */
export async function startMessagesEmulator(options: EmulatorOptions = {}): Promise<MessagesEmulator> {
  assertValidOptions(options);
  const host = options.host ?? '127.0.0.1';
  const validate = options.validate ?? true;
  const fallback: EmulatorResponder = options.respond ?? echoReply;
  const requests: RecordedRequest[] = [];
  const queue: Array<EmulatorReply | EmulatorResponder> = [];
  const sockets = new Set<Socket>();
  // Aborted by close() so pending delays (slow first byte, event pacing) never hold the process open.
  const lifetime = new AbortController();

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      // Only reached when writing to an already broken connection; there is nobody left to tell.
      if (!response.headersSent && !response.destroyed) {
        sendError(response, generateId('req'), 500, 'api_error', describeError(error));
      } else {
        response.destroy();
      }
    });
  });
  // A client that hangs up mid-request must not take the emulator down with an unhandled socket error.
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = generateId('req');
    response.setHeader('request-id', requestId);
    const rawBody = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://emulator.invalid');
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(request),
      body: undefined,
      receivedAt: Date.now(),
      messages: [],
    };
    requests.push(record);

    if (rawBody.length > 0) {
      try {
        record.body = JSON.parse(rawBody) as unknown;
      } catch {
        record.rejected = 'There was an error parsing the body of your request: invalid JSON';
        sendError(response, requestId, 400, 'invalid_request_error', record.rejected);
        return;
      }
    }
    const messages: unknown = (record.body as { messages?: unknown } | undefined)?.messages;
    if (Array.isArray(messages)) record.messages = messages as RecordedRequest['messages'];

    const route = `${record.method} ${record.path.replace(/\/+$/, '')}`;
    if (route === 'POST /v1/messages') {
      await handleMessages(record, request, response, requestId);
    } else if (route === 'POST /v1/messages/count_tokens') {
      const problem = validate ? validateMessagesRequest(record.body, { requireMaxTokens: false }) : undefined;
      if (problem !== undefined) {
        record.rejected = problem;
        sendError(response, requestId, 400, 'invalid_request_error', problem);
        return;
      }
      sendJson(response, 200, { input_tokens: estimateInputTokens(record.body) });
    } else if (route === 'GET /v1/models') {
      sendJson(response, 200, modelListPage());
    } else if (record.method === 'GET' && record.path.startsWith('/v1/models/')) {
      const model = EMULATOR_MODELS.find((candidate) => `/v1/models/${candidate.id}` === record.path);
      if (model === undefined) {
        sendError(response, requestId, 404, 'not_found_error', `model: ${record.path.slice('/v1/models/'.length)}`);
      } else {
        sendJson(response, 200, model);
      }
    } else {
      sendError(response, requestId, 404, 'not_found_error', `Not Found: ${record.method} ${record.path}`);
    }
  }

  async function handleMessages(
    record: RecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    const problem = validate ? validateMessagesRequest(record.body) : undefined;
    if (problem !== undefined) {
      record.rejected = problem;
      sendError(response, requestId, 400, 'invalid_request_error', problem);
      return;
    }
    let reply: EmulatorReply;
    try {
      const next = queue.shift() ?? fallback;
      reply = typeof next === 'function' ? await next(record) : next;
    } catch (error) {
      sendError(response, requestId, 500, 'api_error', `Emulator responder threw: ${describeError(error)}`);
      return;
    }
    const invalid = describeInvalidReply(reply);
    if (invalid !== undefined) {
      sendError(response, requestId, 500, 'api_error', `Emulator cannot serve reply: ${invalid}`);
      return;
    }
    const streaming = (record.body as { stream?: unknown }).stream === true;
    await serveReply(reply, { record, request, response, requestId, streaming });
  }

  type Exchange = {
    record: RecordedRequest;
    request: IncomingMessage;
    response: ServerResponse;
    requestId: string;
    streaming: boolean;
  };

  async function serveReply(reply: EmulatorReply, exchange: Exchange): Promise<void> {
    const { record, request, response, requestId, streaming } = exchange;
    switch (reply.type) {
      case 'message': {
        const message = materializeMessage(reply, record.body);
        if (streaming) {
          await writeEvents(response, streamEvents(message).map(encodeEvent), reply.eventDelayMs ?? 0);
          response.end();
        } else {
          sendJson(response, 200, message);
        }
        return;
      }
      case 'error':
        sendError(response, requestId, reply.status, reply.errorType, reply.message, reply.retryAfter);
        return;
      case 'fault':
        break;
    }
    switch (reply.fault) {
      case 'connection-reset':
        request.socket.destroy();
        return;
      case 'slow-first-byte':
        if (!(await pause(reply.delayMs))) return;
        await serveReply(reply.reply ?? echoReply(record), exchange);
        return;
      case 'stream-cut': {
        const inner = messageReplyOrEcho(reply.reply, record);
        const message = materializeMessage(inner, record.body);
        if (streaming) {
          const events = streamEvents(message).slice(0, reply.afterEvents).map(encodeEvent);
          await writeEvents(response, events, inner.eventDelayMs ?? 0);
        } else {
          // A body cut in half: the client must fail to parse it, as it would on a dropped connection.
          const body = JSON.stringify(message);
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          response.write(body.slice(0, Math.floor(body.length / 2)));
        }
        // Let the written bytes reach the client before the connection drops.
        await new Promise<void>((resolve) => response.write('', () => resolve()));
        request.socket.destroy();
        return;
      }
      case 'stream-error': {
        const errorType = reply.errorType ?? 'overloaded_error';
        const errorMessage = reply.message ?? 'Overloaded';
        if (!streaming) {
          sendError(response, requestId, STATUS_BY_ERROR_TYPE[errorType] ?? 500, errorType, errorMessage);
          return;
        }
        const inner = messageReplyOrEcho(reply.reply, record);
        const events = streamEvents(materializeMessage(inner, record.body)).slice(0, reply.afterEvents).map(encodeEvent);
        events.push(encodeEvent({ event: 'error', data: { type: 'error', error: { type: errorType, message: errorMessage } } }));
        await writeEvents(response, events, inner.eventDelayMs ?? 0);
        response.end();
        return;
      }
    }
  }

  /** Writes SSE events, pacing them by `delayMs`; stops early if the client went away or the emulator closed. */
  async function writeEvents(response: ServerResponse, events: string[], delayMs: number): Promise<void> {
    if (!response.headersSent) {
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      response.flushHeaders();
    }
    for (const [index, event] of events.entries()) {
      if (index > 0 && delayMs > 0 && !(await pause(delayMs))) return;
      if (response.destroyed) return;
      response.write(event);
    }
  }

  /** Sleeps unless the emulator closes first; returns whether it is still open. */
  async function pause(delayMs: number): Promise<boolean> {
    try {
      await sleep(delayMs, undefined, { signal: lifetime.signal });
      return true;
    } catch {
      return false;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    requests,
    enqueue(...replies) {
      // Check them all first so a bad call queues nothing.
      replies.forEach((reply, index) => {
        if (typeof reply !== 'function') assertValidReply(reply, `replies[${index}]`);
      });
      queue.push(...replies);
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    async close() {
      lifetime.abort();
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      });
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The reply a stream fault cuts short: its own message reply, or the echo when it names none or a non-message. */
function messageReplyOrEcho(reply: EmulatorReply | undefined, record: RecordedRequest): EmulatorMessageReply {
  return reply?.type === 'message' ? reply : echoReply(record);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
