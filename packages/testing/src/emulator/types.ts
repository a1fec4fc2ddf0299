/**
 * One request the emulator received, on any endpoint, in arrival order.
 *
 * Recorded before validation and before a reply is chosen, so rejected and faulted requests are visible too.
 */
export type RecordedRequest = {
  /** HTTP method, upper case. */
  method: string;
  /** URL path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** Query string parameters (last value wins when a name repeats). */
  query: Record<string, string>;
  /** Request headers with lower-case names; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  /**
   * Parsed JSON body (`MessageCreateParams` for `/v1/messages`), or `undefined` when the body was empty.
   * Typed `any` on purpose: tests read arbitrary request fields without casting.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** `Date.now()` when the body had been read. */
  receivedAt: number;
  /** Convenience for `/v1/messages`: `body.messages`, or `[]` when absent. */
  messages: Array<{ role: string; content: unknown }>;
  /** The 400 `invalid_request_error` message when validation rejected this request. */
  rejected?: string;
};

/** A content block the emulator can answer with. Ids and signatures are generated when omitted. */
export type EmulatorBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

/** Why the scripted message stopped, as the real API reports it. */
export type EmulatorStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'pause_turn' | 'refusal';

/** Token counts to report instead of the emulator's deterministic estimate (each field independently). */
export type EmulatorUsage = {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
};

/** A successful assistant message, served as JSON or as an SSE stream depending on the request's `stream` flag. */
export type EmulatorMessageReply = {
  type: 'message';
  content: EmulatorBlock[];
  /** Default: `'tool_use'` if any block is a `tool_use`, else `'end_turn'`. */
  stopReason?: EmulatorStopReason;
  usage?: EmulatorUsage;
  /** Default: the request's `model`. */
  model?: string;
  /** Default: a fresh `msg_…` id. */
  id?: string;
  /** Milliseconds between streamed events (default 0). */
  eventDelayMs?: number;
};

/** An HTTP error response with the real API's error body. */
export type EmulatorErrorReply = {
  type: 'error';
  status: number;
  /** The `error.type` field, e.g. `overloaded_error`. */
  errorType: string;
  message: string;
  /** Sent as the `retry-after` header, in seconds. */
  retryAfter?: number;
};

/** A broken transport or a broken stream, for testing retries and error handling. */
export type EmulatorFaultReply =
  /** Destroy the socket before any response byte. */
  | { type: 'fault'; fault: 'connection-reset' }
  /** Send `afterEvents` SSE events of `reply` (or the default reply), then destroy the socket. */
  | { type: 'fault'; fault: 'stream-cut'; afterEvents: number; reply?: EmulatorReply }
  /** Send `afterEvents` SSE events, then an SSE `error` event (`overloaded_error` by default), then end. */
  | {
      type: 'fault';
      fault: 'stream-error';
      afterEvents: number;
      errorType?: string;
      message?: string;
      reply?: EmulatorReply;
    }
  /** Wait `delayMs` before sending headers, then serve `reply` (or the default reply). */
  | { type: 'fault'; fault: 'slow-first-byte'; delayMs: number; reply?: EmulatorReply };

/** Everything a scripted reply or responder may return for `POST /v1/messages`. */
export type EmulatorReply = EmulatorMessageReply | EmulatorErrorReply | EmulatorFaultReply;

/** Computes a reply from the request; may be async. */
export type EmulatorResponder = (request: RecordedRequest) => EmulatorReply | Promise<EmulatorReply>;

/** Options for {@link startMessagesEmulator}. */
export type EmulatorOptions = {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Port to listen on. Default `0` (a free port). */
  port?: number;
  /** Responder used when the queue is empty. Default: `echoReply`. */
  respond?: EmulatorResponder;
  /** Validate requests like the real API (default `true`). */
  validate?: boolean;
};

/** A running emulator of the Anthropic Messages API. */
export type MessagesEmulator = {
  /** Base URL such as `http://127.0.0.1:41234`; give it as `baseURL` to `@anthropic-ai/sdk`. */
  readonly url: string;
  /** Every request received, in order (all endpoints). */
  readonly requests: RecordedRequest[];
  /** Queue replies for the next `POST /v1/messages` calls, served FIFO; a function is called with the request. */
  enqueue(...replies: Array<EmulatorReply | EmulatorResponder>): void;
  /** Drop queued replies and recorded requests. */
  reset(): void;
  /** Stop listening and end every open connection, including idle keep-alive sockets. */
  close(): Promise<void>;
};
