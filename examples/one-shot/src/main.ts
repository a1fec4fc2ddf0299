// One question, one answer: the official `query()` with a string prompt. The import is the only
// line that differs from a program written for `@anthropic-ai/claude-agent-sdk`.
// Real Claude when ANTHROPIC_API_KEY is set, else the project's local Messages API emulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '@sdk/compat';
import { startMessagesEmulator, textReply, type MessagesEmulator } from '@sdk/testing/emulator';

// `--smoke` (the example's test) never uses a real key and keeps sessions out of ~/.claude.
const smoke = process.argv.includes('--smoke');
const configDir = smoke ? mkdtempSync(join(tmpdir(), 'one-shot-')) : undefined;
if (configDir) process.env.CLAUDE_CONFIG_DIR = configDir;

let emulator: MessagesEmulator | undefined;
if (smoke || !process.env.ANTHROPIC_API_KEY) {
  emulator = await startMessagesEmulator();
  // query() reads the same environment variables as the official SDK.
  process.env.ANTHROPIC_BASE_URL = emulator.url;
  process.env.ANTHROPIC_API_KEY = 'emulator';
  emulator.enqueue(textReply('2, 3 and 5.'));
  console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
}

let answer: string | undefined;
for await (const message of query({ prompt: 'Name three prime numbers.', options: { model: 'claude-sonnet-4-6', maxTurns: 1 } })) {
  if (message.type === 'system' && message.subtype === 'init') console.log(`session ${message.session_id}`);
  if (message.type === 'result') {
    if (message.subtype === 'success') answer = message.result;
    console.log(`[${message.subtype}] $${message.total_cost_usd.toFixed(5)}`);
  }
}
console.log(`answer: ${answer ?? '(none)'}`);

await emulator?.close();
if (configDir) rmSync(configDir, { recursive: true, force: true });
if (answer === undefined || (smoke && answer !== '2, 3 and 5.')) process.exitCode = 1;
