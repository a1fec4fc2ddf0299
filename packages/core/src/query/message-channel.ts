import type { SDKUserMessageInput } from './query-types.js';

/**
 * An async iterable the owner pushes user messages into: the open-ended input of a streaming
 * query (`ClaudeSDKClient`). Iterated once; ends after `end()` once drained.
 */
export class MessageChannel implements AsyncIterable<SDKUserMessageInput> {
  private readonly items: SDKUserMessageInput[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(message: SDKUserMessageInput): void {
    if (this.ended) return;
    this.items.push(message);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SDKUserMessageInput, void> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
