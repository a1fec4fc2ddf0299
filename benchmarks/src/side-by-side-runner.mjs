// Child process of official-side-by-side.bench.ts: runs one program with one SDK and prints one JSON
// line of timings. Plain .mjs on plain node, so no TypeScript loader (and no esbuild child) sits in
// the memory the parent measures for this process tree. The parent sets HOME, CLAUDE_CONFIG_DIR,
// ANTHROPIC_BASE_URL and the cwd (fresh temporary directories), exactly as a user's shell would.
//
//   node side-by-side-runner.mjs --sdk official|compat|compat-fsync|floor --program oneshot|resume|stream --count N [--warm-conversation]
//
// oneshot: N one-shot queries after one untimed warm-up (samples: each query's wall time).
// resume:  N queries, each resuming the session of the first (samples: each query's wall time).
// stream:  one streaming-input query of N user messages, each sent after the previous result
//          (samples: from sending a message to its result). With --warm-conversation, one whole streaming-input conversation of N messages runs first,
//          untimed, in a query (and session) of its own, as the one-shot program's warm-up query:
//          the timed conversation is then the process's second, as in a server that has run others.
// floor:   the same Messages API calls (streaming, same growing history) made with a bare
//          @anthropic-ai/sdk client: what any SDK has to do at least.
// compat-fsync: @sdk/compat with `sessionStore: new FileSessionStore()` (same folder, but every
//          append fdatasync'ed before it resolves), to show what durability costs: compat's default
//          store writes like the official CLI, which never fsyncs its transcripts.
import { parseArgs } from 'node:util';

const MODEL = 'claude-sonnet-4-6';
const { values } = parseArgs({
  options: { sdk: { type: 'string' }, program: { type: 'string' }, count: { type: 'string' }, 'warm-conversation': { type: 'boolean', default: false } },
});
const warmConversation = values['warm-conversation'];
const { sdk, program } = values;
const count = Number(values.count);
if (
  !['official', 'compat', 'compat-fsync', 'floor'].includes(sdk) ||
  !['oneshot', 'resume', 'stream'].includes(program) ||
  !(count > 0) ||
  (warmConversation && program !== 'stream')
) {
  throw new Error('usage: side-by-side-runner.mjs --sdk official|compat|compat-fsync|floor --program oneshot|resume|stream --count N [--warm-conversation (stream only)]');
}

const now = () => performance.now();

/** Wall time of each query of `program`, through an SDK's `query()`. */
async function withQuery(query, sessionStore) {
  const options = sessionStore === undefined ? { cwd: process.cwd(), model: MODEL } : { cwd: process.cwd(), model: MODEL, sessionStore };
  const drain = async (prompt, extra = {}) => {
    let sessionId;
    for await (const message of query({ prompt, options: { ...options, ...extra } })) {
      if (message.type === 'result') {
        if (message.is_error) throw new Error(`query failed: ${JSON.stringify(message)}`);
        sessionId = message.session_id;
      }
    }
    return sessionId;
  };
  const samples = [];
  if (program === 'oneshot') {
    for (let index = -1; index < count; index++) {
      const started = now();
      await drain(`one-shot ${index}`);
      if (index >= 0) samples.push(now() - started);
    }
  } else if (program === 'resume') {
    let sessionId;
    for (let index = 0; index < count; index++) {
      const started = now();
      sessionId = await drain(`turn ${index + 1}`, sessionId === undefined ? {} : { resume: sessionId });
      samples.push(now() - started);
    }
  } else {
    // Each message is sent once the previous one's result arrived; returns each turn's time.
    const conversation = async (turns) => {
      const times = [];
      let answered = () => undefined;
      let sentAt = 0;
      async function* paced() {
        for (let index = 0; index < turns; index++) {
          const result = new Promise((resolve) => (answered = resolve));
          sentAt = now();
          yield { type: 'user', message: { role: 'user', content: `turn ${index + 1}` }, parent_tool_use_id: null };
          await result;
        }
      }
      for await (const message of query({ prompt: paced(), options })) {
        if (message.type !== 'result') continue;
        if (message.is_error) throw new Error(`turn failed: ${JSON.stringify(message)}`);
        times.push(now() - sentAt);
        answered();
      }
      return times;
    };
    if (warmConversation) await conversation(count);
    samples.push(...(await conversation(count)));
  }
  return samples;
}

/** The same calls with a bare Messages API client, keeping the conversation in an array. */
async function withBareClient() {
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const client = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, baseURL: process.env.ANTHROPIC_BASE_URL, maxRetries: 0 });
  const call = async (messages) => {
    const stream = await client.messages.create({ model: MODEL, max_tokens: 8192, messages, stream: true });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    return text;
  };
  const samples = [];
  if (program === 'oneshot') {
    for (let index = -1; index < count; index++) {
      const started = now();
      await call([{ role: 'user', content: `one-shot ${index}` }]);
      if (index >= 0) samples.push(now() - started);
    }
  } else {
    const conversation = async (turns) => {
      const times = [];
      const messages = [];
      for (let index = 0; index < turns; index++) {
        const started = now();
        messages.push({ role: 'user', content: `turn ${index + 1}` });
        messages.push({ role: 'assistant', content: await call(messages) });
        times.push(now() - started);
      }
      return times;
    };
    if (warmConversation) await conversation(count);
    samples.push(...(await conversation(count)));
  }
  return samples;
}

const importStarted = now();
let samples;
if (sdk === 'floor') {
  samples = await withBareClient();
} else if (sdk === 'compat-fsync') {
  const { query } = await import('@sdk/compat');
  const { FileSessionStore } = await import('@sdk/store-file');
  samples = await withQuery(query, new FileSessionStore({ durability: 'fsync' }));
} else {
  const { query } = await import(sdk === 'official' ? '@anthropic-ai/claude-agent-sdk' : '@sdk/compat');
  samples = await withQuery(query);
}
process.stdout.write(`${JSON.stringify({ samples, totalMs: now() - importStarted })}\n`);
