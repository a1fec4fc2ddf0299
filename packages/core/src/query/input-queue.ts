import { AbortError } from '../errors.js';
import type { SDKUserMessageInput } from './query-types.js';

/**
 * The user messages waiting to become turns. Sources (the prompt iterable, `streamInput` streams)
 * are read eagerly into one FIFO, as the official CLI reads its stdin; the queue ends when every
 * source has ended and nothing is left, and fails when a source throws.
 */
export class InputQueue {
  private readonly items: SDKUserMessageInput[] = [];
  private readonly waiters = new Set<() => void>();
  private openSources = 0;
  private failure: { error: unknown } | undefined;
  private closed = false;

  /** A queue holding one message and no source: it ends after that message (string prompts). */
  static of(message: SDKUserMessageInput): InputQueue {
    const queue = new InputQueue();
    queue.items.push(message);
    return queue;
  }

  /** Starts reading `source`; resolves when it has been read to its end (or the queue closed). */
  async add(source: AsyncIterable<SDKUserMessageInput>): Promise<void> {
    if (this.closed) return;
    this.openSources += 1;
    try {
      for await (const message of source) {
        if (this.closed) break;
        this.items.push(message);
        this.wake();
      }
    } catch (error) {
      this.failure ??= { error };
    } finally {
      this.openSources -= 1;
      this.wake();
    }
  }

  /** The next message; `undefined` when the input has ended. Rejects with `AbortError` on `signal`. */
  async next(signal: AbortSignal | undefined): Promise<SDKUserMessageInput | undefined> {
    for (;;) {
      if (signal?.aborted === true) throw new AbortError('Operation aborted');
      const item = this.items.shift();
      if (item !== undefined) return item;
      if (this.failure !== undefined) throw this.failure.error;
      if (this.closed || this.openSources === 0) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** The uuids of the messages still waiting. */
  pendingUuids(): string[] {
    return this.items.flatMap((item) => (item.uuid === undefined ? [] : [item.uuid]));
  }

  /** Ends the queue: waiting messages are dropped and sources are no longer read. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
