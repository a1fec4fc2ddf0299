import type Anthropic from '@anthropic-ai/sdk';
import type {
  BetaMessage,
  BetaRawMessageStreamEvent,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { IncompleteStreamError } from './retry.js';

/** A complete message of one streamed API call. */
export type CompletedCall = { message: BetaMessage; requestId: string | null };

/** The request of one call, without `stream` (always set here). */
export type CallParams = Omit<MessageCreateParamsNonStreaming, 'stream'>;

/**
 * Streams one Messages API call, yielding every raw event as it arrives, and returns the message
 * assembled from them. Throws when the stream fails or ends before `message_stop`: the caller then
 * has no message at all, never half of one.
 */
export async function* streamMessage(client: Anthropic, params: CallParams, signal: AbortSignal | undefined): AsyncGenerator<BetaRawMessageStreamEvent, CompletedCall> {
  const { data: stream, request_id: requestId } = await client.beta.messages.create({ ...params, stream: true }, callOptions(signal)).withResponse();
  const assembler = new MessageAssembler();
  for await (const event of stream) {
    assembler.apply(event);
    yield event;
  }
  return { message: assembler.finish(), requestId: requestId ?? null };
}

/**
 * {@link streamMessage} for a caller that does not want the events: the same streamed call and
 * the same errors, without handing each event through a generator (two promise hops per event).
 */
export async function receiveMessage(client: Anthropic, params: CallParams, signal: AbortSignal | undefined): Promise<CompletedCall> {
  const { data: stream, request_id: requestId } = await client.beta.messages.create({ ...params, stream: true }, callOptions(signal)).withResponse();
  const assembler = new MessageAssembler();
  for await (const event of stream) assembler.apply(event);
  return { message: assembler.finish(), requestId: requestId ?? null };
}

const NO_RETRIES = { maxRetries: 0 } as const;

/** Retries are the executor's (it logs and reports them); the client makes one attempt. */
function callOptions(signal: AbortSignal | undefined): { maxRetries: 0; signal?: AbortSignal } {
  return signal === undefined ? NO_RETRIES : { maxRetries: 0, signal };
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
