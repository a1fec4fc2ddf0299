import type Anthropic from '@anthropic-ai/sdk';
import type {
  BetaMessage,
  BetaRawMessageStreamEvent,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { messageEventBatches, readMessageEvents } from './message-events.js';
import { IncompleteStreamError } from './retry.js';

/** A complete message of one streamed API call. */
export type CompletedCall = { message: BetaMessage; requestId: string | null };

/** The request of one call, without `stream` (always set here). */
export type CallParams = Omit<MessageCreateParamsNonStreaming, 'stream'>;

/**
 * One Messages API call under way: the request is sent when it is started ({@link startCall}); its
 * answer is read with {@link receiveMessage} or {@link streamMessage}, or dropped with `cancel()`.
 */
export type StartedCall = {
  readonly response: Promise<Response>;
  /** Stops the call (its request, or its body once the headers are in) and lets go of the caller's signal. */
  cancel(): void;
  /** Lets go of the caller's signal (the answer was read, or failed). */
  done(): void;
};

const NO_RETRIES = { maxRetries: 0 } as const;
/** Nothing to do: no signal to unlink, a failure already handled where it is awaited. */
const ignore = (): void => undefined;

/**
 * Sends the request; the response's body is read by `message-events.ts`, not by the SDK's `Stream`
 * (see there why). Retries are the executor's (it logs and reports them): one attempt each.
 *
 * The caller's signal is not given to the client: the client leaves an abort listener on the
 * signal it is given until its own stream reader ends the call, and a body read here would leave
 * it until the body is garbage-collected, piling listeners onto a signal reused across turns. The
 * client gets a signal of the call's own, which follows the caller's until `done()`.
 */
export function startCall(client: Anthropic, params: CallParams, signal: AbortSignal | undefined): StartedCall {
  let controller: AbortController | undefined;
  let done = ignore;
  let options: { maxRetries: 0; signal?: AbortSignal } = NO_RETRIES;
  if (signal !== undefined) {
    const call = new AbortController();
    const abort = (): void => call.abort(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    controller = call;
    done = () => signal.removeEventListener('abort', abort);
    options = { maxRetries: 0, signal: call.signal };
  }
  const response = client.beta.messages.create({ ...params, stream: true }, options).asResponse();
  // Read later (after the caller's own work, maybe never): a failure before then is not unhandled.
  response.catch(ignore);
  return {
    response,
    done,
    cancel() {
      done();
      controller?.abort();
      response.then((answer) => answer.body?.cancel(), ignore).catch(ignore);
    },
  };
}

/**
 * Reads a started call's answer, yielding every raw event as it arrives, and returns the message
 * assembled from them. Throws when the stream fails or ends before `message_stop`: the caller then
 * has no message at all, never half of one.
 */
export async function* streamMessage(call: StartedCall): AsyncGenerator<BetaRawMessageStreamEvent, CompletedCall> {
  try {
    const response = await call.response;
    const assembler = new MessageAssembler();
    for await (const batch of messageEventBatches(response)) {
      for (const event of batch) {
        assembler.apply(event);
        yield event;
      }
    }
    return { message: assembler.finish(), requestId: response.headers.get('request-id') };
  } finally {
    call.done();
  }
}

/**
 * {@link streamMessage} for a caller that does not want the events: the same answer and the same
 * errors, without handing each event through a generator.
 */
export async function receiveMessage(call: StartedCall): Promise<CompletedCall> {
  try {
    const response = await call.response;
    const assembler = new MessageAssembler();
    await readMessageEvents(response, (event) => assembler.apply(event));
    return { message: assembler.finish(), requestId: response.headers.get('request-id') };
  } finally {
    call.done();
  }
}

/** Folds streaming events into the final message, as the API's non-streaming response would be. */
export class MessageAssembler {
  private message: BetaMessage | undefined;
  private readonly partialJson = new Map<number, string>();
  private stopped = false;

  apply(event: BetaRawMessageStreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.message = { ...event.message, content: [] };
        break;
      case 'content_block_start':
        this.current().content[event.index] = { ...event.content_block };
        break;
      case 'content_block_delta':
        this.applyDelta(event.index, event.delta);
        break;
      case 'content_block_stop': {
        const block = this.current().content[event.index];
        const json = this.partialJson.get(event.index);
        if (block !== undefined && 'input' in block && json !== undefined) {
          (block as { input: unknown }).input = json.length === 0 ? {} : (JSON.parse(json) as unknown);
        }
        this.partialJson.delete(event.index);
        break;
      }
      case 'message_delta': {
        const message = this.current();
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        for (const [name, value] of Object.entries(event.usage)) {
          if (value !== null && value !== undefined) (message.usage as unknown as Record<string, unknown>)[name] = value;
        }
        break;
      }
      case 'message_stop':
        this.stopped = true;
        break;
    }
  }

  /** The assembled message; throws `IncompleteStreamError` unless `message_stop` arrived. */
  finish(): BetaMessage {
    if (!this.stopped || this.message === undefined) throw new IncompleteStreamError();
    this.message.content = this.message.content.filter((block) => block !== undefined);
    return this.message;
  }

  private current(): BetaMessage {
    if (this.message === undefined) throw new IncompleteStreamError('the response stream sent content before message_start');
    return this.message;
  }

  private applyDelta(index: number, delta: Extract<BetaRawMessageStreamEvent, { type: 'content_block_delta' }>['delta']): void {
    const block = this.current().content[index] as Record<string, unknown> | undefined;
    if (block === undefined) return;
    switch (delta.type) {
      case 'text_delta':
        block.text = `${typeof block.text === 'string' ? block.text : ''}${delta.text}`;
        break;
      case 'thinking_delta':
        block.thinking = `${typeof block.thinking === 'string' ? block.thinking : ''}${delta.thinking}`;
        break;
      case 'signature_delta':
        block.signature = delta.signature;
        break;
      case 'input_json_delta':
        this.partialJson.set(index, `${this.partialJson.get(index) ?? ''}${delta.partial_json}`);
        break;
      case 'citations_delta':
        block.citations = [...(Array.isArray(block.citations) ? (block.citations as unknown[]) : []), delta.citation];
        break;
      default:
        break;
    }
  }
}
