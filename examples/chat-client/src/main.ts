// A multi-turn chat with `ClaudeSDKClient`: connect once, send a message, read the reply, repeat.
// Each reply sees the whole conversation so far. Real Claude when ANTHROPIC_API_KEY is set, else the
// project's local Messages API emulator, which echoes the last message and counts the history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaudeSDKClient } from '@sdk/compat';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';

// `--smoke` (the example's test) never uses a real key and keeps sessions out of ~/.claude.
const smoke = process.argv.includes('--smoke');
const configDir = smoke ? mkdtempSync(join(tmpdir(), 'chat-client-')) : undefined;
if (configDir) process.env.CLAUDE_CONFIG_DIR = configDir;

let emulator: MessagesEmulator | undefined;
if (smoke || !process.env.ANTHROPIC_API_KEY) {
  emulator = await startMessagesEmulator(); // with nothing queued, it answers `echo: <your text> [messages=N]`
  process.env.ANTHROPIC_BASE_URL = emulator.url;
  process.env.ANTHROPIC_API_KEY = 'emulator';
  console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
}

const client = new ClaudeSDKClient({ model: 'claude-sonnet-4-6', systemPrompt: 'You are a terse assistant.' });
const replies: string[] = [];
try {
  await client.connect();
  for (const text of ['My name is Ada.', 'What is 6 × 7?', 'What is my name?']) {
    console.log(`\nyou: ${text}`);
    await client.query(text);
    // receiveResponse() yields this message's reply and stops after its `result`.
    for await (const message of client.receiveResponse()) {
      if (message.type === 'assistant') {
        for (const block of message.message.content) if (block.type === 'text') console.log(`claude: ${block.text}`);
      }
      if (message.type === 'result') {
        replies.push(message.subtype === 'success' ? message.result : `(${message.subtype})`);
        console.log(`[${message.subtype}] session ${message.session_id}`);
      }
    }
  }
} finally {
  await client.disconnect();
  await emulator?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
}

// The smoke run checks that each turn carried the history: 1, then 3, then 5 messages.
const expected = ['echo: My name is Ada. [messages=1]', 'echo: What is 6 × 7? [messages=3]', 'echo: What is my name? [messages=5]'];
if (smoke && JSON.stringify(replies) !== JSON.stringify(expected)) {
  console.error(`unexpected replies: ${JSON.stringify(replies)}`);
  process.exitCode = 1;
}
