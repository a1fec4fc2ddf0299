// The main job: a three-turn agent conversation, each turn on a FRESH executor (nothing survives
// between turns but the transcript on disk), with one tool, stored by the default file store where
// Claude Code keeps its sessions. Real Claude when ANTHROPIC_API_KEY is set, else the local emulator.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentExecutor, createToolRunner, projectKeyForDirectory, type SDKMessage } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { startMessagesEmulator, textReply, toolUseReply, type MessagesEmulator } from '@sdk/testing/emulator';

// `--smoke` (the example's test) never touches the user's ~/.claude: it writes into a temp folder.
const smoke = process.argv.includes('--smoke');
const smokeRoot = smoke ? mkdtempSync(join(tmpdir(), 'quickstart-')) : undefined;

const apiKey = smoke ? undefined : process.env.ANTHROPIC_API_KEY;
let emulator: MessagesEmulator | undefined;
if (apiKey) {
  console.log('Using the real Claude API (ANTHROPIC_API_KEY is set).');
} else {
  emulator = await startMessagesEmulator();
  console.log(`ANTHROPIC_API_KEY is not set: using the LOCAL Messages API emulator at ${emulator.url}, not Claude.`);
  // The emulator echoes prompts; script the second turn so the tool loop runs too.
  emulator.enqueue(
    (request) => textReply(`Hello! I received your message and ${request.messages.length} message(s) of history.`),
    toolUseReply('get_time', {}, { text: 'Let me check the clock.' }),
    textReply('The tool answered, so I can tell you the time now.'),
  );
}

const store = new FileSessionStore(smokeRoot ? { root: smokeRoot } : {});
const cwd = process.cwd();
const session = { projectKey: projectKeyForDirectory(cwd), sessionId: randomUUID() };
const tools = createToolRunner([
  {
    name: 'get_time',
    description: 'Returns the current time as an ISO-8601 string.',
    inputSchema: { type: 'object', properties: {} },
    run: () => new Date().toISOString(),
  },
]);

const prompts = ['Hello! Who are you, in one sentence?', 'What time is it? Use the get_time tool.', 'Thanks. Say goodbye in five words.'];
let failed = false;
for (const [index, prompt] of prompts.entries()) {
  // A new executor per turn: any worker could run any turn.
  const executor = new AgentExecutor({
    store,
    clientOptions: emulator ? { baseURL: emulator.url, apiKey: 'emulator' } : { apiKey: apiKey! },
  });
  console.log(`\n── turn ${index + 1} ── you: ${prompt}`);
  for await (const message of executor.runTurn({ session, prompt, model: 'claude-sonnet-4-6', tools, cwd, maxTokens: 1024 })) {
    printMessage(message);
    if (message.type === 'result' && message.is_error) failed = true;
  }
}

const entries = await store.load(session);
console.log(`\nSession ${session.sessionId}: ${entries?.length ?? 0} transcript entries in ${join(store.root, 'projects', session.projectKey)}`);
console.log('Resume it from any process: the executor needs only the store and the session id.');

await emulator?.close();
if (smokeRoot) rmSync(smokeRoot, { recursive: true, force: true });
if (failed) process.exitCode = 1;

function printMessage(message: SDKMessage): void {
  switch (message.type) {
    case 'assistant':
      for (const block of message.message.content) {
        if (block.type === 'text') console.log(`claude: ${block.text}`);
        if (block.type === 'tool_use') console.log(`claude calls ${block.name}(${JSON.stringify(block.input)})`);
      }
      break;
    case 'user':
      if (message.tool_use_result !== undefined) console.log(`tool result: ${JSON.stringify(message.tool_use_result)}`);
      break;
    case 'result':
      console.log(
        `[${message.subtype}] ${message.num_turns} API call(s), ${message.usage.input_tokens}+${message.usage.output_tokens} tokens, $${message.total_cost_usd.toFixed(5)}`,
      );
      if (message.is_error && 'errors' in message) console.log(`errors: ${message.errors.join('; ')}`);
      break;
    default:
      break;
  }
}
