// The "direct" side of the worker protocol (redis-executor-worker.mjs, benchmarks/src/
// file-executor-worker.mjs): the request an executor turn sends, made with the executor's own
// `@anthropic-ai/sdk` client and no store. Same endpoint (beta messages), model, max_tokens (the
// executor's default, 8192), no system prompt, `stream: true`, and a history of `historyTurns`
// user/assistant exchanges shaped as the executor rebuilds them from a transcript (text blocks; the
// assistant text is what the emulator answers), then the prompt. What the emulator and the client
// spend on a call grows with the history, so the ceiling a turn is compared with must carry the same.
// Plain .mjs so the workers run on node without a TypeScript loader.

/** The executor's default `max_tokens` (agent-executor.ts), which the workers' turns use. */
export const EXECUTOR_MAX_TOKENS = 8192;

/** Cached history messages, grown on demand: index 2i is exchange i's prompt, 2i + 1 its answer. */
const history = [];

/** The conversation of `turns` earlier exchanges, as a fresh array the caller may append to. */
export function historyOf(turns) {
  for (let index = history.length / 2; index < turns; index++) {
    // Prompts like the harness's (`worker W turn N`), answers as the emulator echoes them.
    const prompt = `worker ${index % 4} turn ${index}`;
    history.push(
      { role: 'user', content: [{ type: 'text', text: prompt }] },
      { role: 'assistant', content: [{ type: 'text', text: `echo: ${prompt} [messages=${2 * index + 1}]` }] },
    );
  }
  return history.slice(0, 2 * turns);
}

/**
 * One direct call: the streaming request of an executor turn whose session holds `historyTurns`
 * exchanges, consumed event by event; resolves with a result shaped like the turn's.
 */
export async function directCall(client, { model, prompt, historyTurns = 0 }) {
  const messages = historyOf(historyTurns);
  messages.push({ role: 'user', content: [{ type: 'text', text: prompt }] });
  const stream = await client.beta.messages.create({ model, max_tokens: EXECUTOR_MAX_TOKENS, messages, stream: true }, { maxRetries: 0 });
  let text = '';
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  }
  return { subtype: 'success', result: text };
}
