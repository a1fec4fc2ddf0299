import Anthropic from '@anthropic-ai/sdk';
import { request as httpRequest, Agent } from 'node:http';
import { InvalidArgumentError } from '@sdk/core';
import { afterEach, describe, expect, it } from 'vitest';
import { echoReply, errorReply, textReply } from './builders.js';
import { startMessagesEmulator } from './server.js';
import type { MessagesEmulator, RecordedRequest } from './types.js';

const started: MessagesEmulator[] = [];

async function start(options: Parameters<typeof startMessagesEmulator>[0] = {}): Promise<{ emulator: MessagesEmulator; client: Anthropic }> {
  const emulator = await startMessagesEmulator(options);
  started.push(emulator);
  return { emulator, client: new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 0 }) };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

type Message = Anthropic.MessageParam;

async function replyText(client: Anthropic, messages: Message[]): Promise<string> {
  const message = await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages }).finalMessage();
  const block = message.content[0];
  return block?.type === 'text' ? block.text : `<${block?.type}>`;
}

const hello: Message[] = [{ role: 'user', content: 'hello' }];

describe('scripted replies', () => {
  it('serves queued replies first in, first out, then falls back to the echo', async () => {
    const { emulator, client } = await start();
    emulator.enqueue(textReply('one'), textReply('two'));
    emulator.enqueue(textReply('three'));

    expect(await replyText(client, hello)).toBe('one');
    expect(await replyText(client, hello)).toBe('two');
    expect(await replyText(client, hello)).toBe('three');
    expect(await replyText(client, hello)).toBe('echo: hello [messages=1]');
  });

  it('calls a queued function with the recorded request', async () => {
    const { emulator, client } = await start();
    const seen: RecordedRequest[] = [];
    emulator.enqueue(async (request) => {
      seen.push(request);
      return textReply(`you sent ${request.messages.length} messages for ${String(request.body.model)}`);
    });

    expect(await replyText(client, hello)).toBe('you sent 1 messages for claude-haiku-4-5');
    expect(seen).toEqual([emulator.requests[0]]);
  });

  it('uses the respond option when the queue is empty', async () => {
    const { emulator, client } = await start({ respond: (request) => textReply(`custom ${request.messages.length}`) });
    emulator.enqueue(textReply('queued'));

    expect(await replyText(client, hello)).toBe('queued');
    expect(await replyText(client, hello)).toBe('custom 1');
  });

  it('turns a responder that throws into a 500 api_error', async () => {
    const { emulator, client } = await start();
    emulator.enqueue(() => {
      throw new Error('script bug');
    });

    const failure = await replyText(client, hello).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.InternalServerError);
    expect((failure as Error).message).toContain('Emulator responder threw: script bug');
  });

  it('rejects malformed replies at enqueue time and queues none of the batch', async () => {
    const { emulator, client } = await start();
    const attempts: Array<[unknown, RegExp]> = [
      [{ type: 'bogus' }, /unknown reply type "bogus"/],
      [{ type: 'fault', fault: 'stream-cutt', afterEvents: 1 }, /unknown fault "stream-cutt"/],
      [{ type: 'fault', fault: 'stream-cut', afterEvents: -1 }, /afterEvents, a non-negative integer/],
      [{ type: 'fault', fault: 'slow-first-byte', delayMs: 5, reply: { type: 'error', status: 200 } }, /HTTP status from 400 to 599/],
      [{ type: 'message', content: [{ type: 'image' }] }, /content\.0: unknown block type "image"/],
      [{ type: 'message', content: [], eventDelayMs: -5 }, /eventDelayMs must be a non-negative number/],
    ];
    for (const [reply, message] of attempts) {
      let failure: unknown;
      try {
        emulator.enqueue(textReply('valid but in a bad batch'), reply as never);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(InvalidArgumentError);
      expect(failure).toMatchObject({ argument: 'replies[1]', message: expect.stringMatching(message) });
    }

    expect(await replyText(client, hello)).toBe('echo: hello [messages=1]');
  });

  it('answers a malformed reply from a responder with a 500 instead of hanging', async () => {
    const { emulator, client } = await start();
    emulator.enqueue(() => ({ type: 'bogus' }) as never);

    const failure = await replyText(client, hello).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.InternalServerError);
    expect(failure).toMatchObject({ apiMessage: expect.stringContaining('Emulator cannot serve reply: unknown reply type "bogus"') });
  });

  it('rejects unusable options', async () => {
    await expect(startMessagesEmulator({ port: 70_000 })).rejects.toThrow(InvalidArgumentError);
    await expect(startMessagesEmulator({ port: 1.5 })).rejects.toMatchObject({ argument: 'port' });
    await expect(startMessagesEmulator({ host: '' })).rejects.toMatchObject({ argument: 'host' });
    await expect(startMessagesEmulator({ respond: 'echo' as never })).rejects.toMatchObject({ argument: 'respond' });
    await expect(startMessagesEmulator({ validate: 'yes' as never })).rejects.toMatchObject({ argument: 'validate' });
  });

  it('reset() drops queued replies and recorded requests', async () => {
    const { emulator, client } = await start();
    emulator.enqueue(textReply('dropped'));
    await client.models.list();
    emulator.reset();

    expect(emulator.requests).toEqual([]);
    expect(await replyText(client, hello)).toBe('echo: hello [messages=1]');
    expect(emulator.requests).toHaveLength(1);
  });

  it('listens on the requested host and port', async () => {
    const probe = await startMessagesEmulator();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const { emulator } = await start({ host: '127.0.0.1', port });

    expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
  });
});

describe('echo reply', () => {
  it('echoes the last user text and counts every entry of body.messages', async () => {
    const { client } = await start();
    const history: Message[] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'second' }] },
    ];

    expect(await replyText(client, history)).toBe('echo: second [messages=3]');
  });

  it('reports tool results when the last user message holds only tool_result blocks', async () => {
    const { client } = await start();
    const history: Message[] = [
      { role: 'user', content: 'run it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'done' }] },
    ];

    expect(await replyText(client, history)).toBe('echo: tool results received [messages=3]');
  });

  it('ignores tool_result blocks next to text', async () => {
    const record = {
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }, { type: 'text', text: 'and this' }] },
      ],
    } as RecordedRequest;

    expect(echoReply(record).content).toEqual([{ type: 'text', text: 'echo: and this [messages=1]' }]);
  });

  it('counts system entries inside messages too', async () => {
    const record = {
      messages: [
        { role: 'system', content: 'context' },
        { role: 'user', content: 'hi' },
      ],
    } as RecordedRequest;

    expect(echoReply(record).content).toEqual([{ type: 'text', text: 'echo: hi [messages=2]' }]);
  });
});

describe('builders', () => {
  it('derives the error type from the status', () => {
    expect([400, 401, 403, 404, 413, 429, 500, 529, 418].map((status) => errorReply(status).errorType)).toEqual([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'rate_limit_error',
      'api_error',
      'overloaded_error',
      'api_error',
    ]);
    expect(errorReply(429, { retryAfter: 2, message: 'slow down' })).toEqual({
      type: 'error',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'slow down',
      retryAfter: 2,
    });
  });
});

describe('close()', () => {
  it('ends idle keep-alive connections so the process can exit', async () => {
    const emulator = await startMessagesEmulator();
    const agent = new Agent({ keepAlive: true });
    const closedSockets: Promise<void>[] = [];
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(`${emulator.url}/v1/models`, { agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('socket', (socket) => closedSockets.push(new Promise((done) => socket.once('close', () => done()))));
      request.on('error', reject);
      request.end();
    });

    const startedAt = performance.now();
    await emulator.close();
    await Promise.all(closedSockets);
    agent.destroy();

    expect(closedSockets).toHaveLength(1);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it('cuts short a pending slow reply', async () => {
    const emulator = await startMessagesEmulator();
    const client = new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 0 });
    emulator.enqueue({ type: 'fault', fault: 'slow-first-byte', delayMs: 60_000 });
    const pending = replyText(client, hello).catch((error: unknown) => error);
    while (emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const startedAt = performance.now();
    await emulator.close();

    expect(await pending).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });
});
