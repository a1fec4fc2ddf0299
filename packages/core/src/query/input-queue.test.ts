import { describe, expect, it } from 'vitest';
import { AbortError } from '../errors.js';
import { InputQueue } from './input-queue.js';
import { MessageChannel } from './message-channel.js';
import type { SDKUserMessageInput } from './query-types.js';

const user = (text: string, uuid?: string): SDKUserMessageInput => ({
  type: 'user',
  message: { role: 'user', content: text },
  parent_tool_use_id: null,
  ...(uuid === undefined ? {} : { uuid: uuid as SDKUserMessageInput['uuid'] & string }),
});

const textOf = (message: SDKUserMessageInput | undefined): unknown => message?.message.content;

describe('InputQueue', () => {
  it('ends after the single message of a string prompt', async () => {
    const queue = InputQueue.of(user('only'));
    expect(textOf(await queue.next(undefined))).toBe('only');
    expect(await queue.next(undefined)).toBeUndefined();
  });

  it('reads sources in order and ends when every source has ended', async () => {
    const queue = new InputQueue();
    const first = new MessageChannel();
    const second = new MessageChannel();
    void queue.add(first);
    void queue.add(second);
    first.push(user('a'));
    second.push(user('b'));
    expect(textOf(await queue.next(undefined))).toBe('a');
    expect(textOf(await queue.next(undefined))).toBe('b');
    first.end();
    const pending = queue.next(undefined);
    second.push(user('c', '0b6f7c9e-1a2b-4c3d-8e4f-5a6b7c8d9e0f'));
    expect(textOf(await pending)).toBe('c');
    second.end();
    expect(await queue.next(undefined)).toBeUndefined();
  });

  it('fails with the error of a source that throws', async () => {
    const queue = new InputQueue();
    void queue.add(
      (async function* broken(): AsyncGenerator<SDKUserMessageInput> {
        yield user('first');
        throw new Error('input broke');
      })(),
    );
    expect(textOf(await queue.next(undefined))).toBe('first');
    await expect(queue.next(undefined)).rejects.toThrow('input broke');
  });

  it('rejects a waiting next() with AbortError when aborted, and lists queued uuids', async () => {
    const queue = new InputQueue();
    const channel = new MessageChannel();
    void queue.add(channel);
    const controller = new AbortController();
    const waiting = queue.next(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    channel.push(user('x', '0b6f7c9e-1a2b-4c3d-8e4f-5a6b7c8d9e0f'));
    channel.push(user('y'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.pendingUuids()).toEqual(['0b6f7c9e-1a2b-4c3d-8e4f-5a6b7c8d9e0f']);
    queue.close();
    expect(await queue.next(undefined)).toBeUndefined();
  });
});
