import { context, isSpanContextValid, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { SDK_VERSION } from '../version.js';

/**
 * OpenTelemetry spans for turns, API calls, tool calls and store operations, through
 * `@opentelemetry/api` only: without an OpenTelemetry SDK registered by the application every
 * call here is a no-op. Spans are parented explicitly (not through the active context), because
 * a turn is an async generator whose steps run in the caller's context.
 */

const TRACER_NAME = '@sdk/core';

/** Span names, stable for dashboards. */
export const SPAN_NAMES = {
  turn: 'agent.turn',
  apiCall: 'anthropic.messages',
  tool: 'agent.tool',
  store: 'session_store',
} as const;

/**
 * The tracer, got once: `getTracer` hands out a proxy that follows an OpenTelemetry SDK registered
 * later, so keeping it loses nothing, and a turn starts several spans.
 */
let tracer: Tracer | undefined;

/** Starts a span, as a child of `parent` when given. End it with {@link endSpan}. */
export function startSpan(name: string, attributes: Attributes, parent?: Span): Span {
  // Without an OpenTelemetry SDK every span is the no-op one, with an invalid context: its
  // children are no-ops too, so skip building their contexts (a turn starts several spans).
  if (parent !== undefined && !isSpanContextValid(parent.spanContext())) return parent;
  tracer ??= trace.getTracer(TRACER_NAME, SDK_VERSION);
  const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(name, { attributes }, parentContext);
}

/** Ends a span, recording the error (if any) as its status. */
export function endSpan(span: Span, error?: unknown, attributes?: Attributes): void {
  if (attributes !== undefined) span.setAttributes(attributes);
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'non-Error value thrown';
    span.recordException(error instanceof Error ? error : message);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/** Runs `operation` inside a span that ends with it. */
export function traced<T>(name: string, attributes: Attributes, parent: Span | undefined, operation: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, attributes, parent);
  if (isSpanContextValid(span.spanContext())) return runInSpan(span, operation);
  // A no-op span has nothing to end or record: the operation's own promise, without another async
  // frame around it (a turn runs several store operations). Every caller awaits it inside an async
  // function, where an operation that threw instead of rejecting rejects all the same.
  return operation(span);
}

async function runInSpan<T>(span: Span, operation: (span: Span) => Promise<T>): Promise<T> {
  try {
    const value = await operation(span);
    endSpan(span);
    return value;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/** Runs `operation` with `span` as the active span (effective when a context manager is registered). */
export function withSpan<T>(span: Span, operation: () => T): T {
  if (!isSpanContextValid(span.spanContext())) return operation();
  return context.with(trace.setSpan(context.active(), span), operation);
}
