// The executor on the file store: two turns, each by a fresh executor, written where Claude Code
// keeps its sessions (here a temporary folder standing in for ~/.claude). Then we read the
// transcript back: the file path, one JSON entry per line, and the session summary.
// Real Claude when ANTHROPIC_API_KEY is set, else the project's local Messages API emulator.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentExecutor, projectKeyForDirectory } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';

const smoke = process.argv.includes('--smoke');
const apiKey = smoke ? undefined : process.env.ANTHROPIC_API_KEY;
let emulator: MessagesEmulator | undefined;
if (!apiKey) {
  emulator = await startMessagesEmulator(); // answers `echo: <your text> [messages=N]`
  console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
}

// `root` is the configuration folder: CLAUDE_CONFIG_DIR, else ~/.claude, when omitted.
const root = mkdtempSync(join(tmpdir(), 'file-store-example-'));
const store = new FileSessionStore({ root });
// A session is addressed by its project (the working directory, encoded as Claude Code does) and its id.
const cwd = process.cwd();
const session = { projectKey: projectKeyForDirectory(cwd), sessionId: randomUUID() };

for (const prompt of ['Remember the number 42.', 'Which number did I ask you to remember?']) {
  const executor = new AgentExecutor({
    store,
    clientOptions: emulator ? { baseURL: emulator.url, apiKey: 'emulator' } : { apiKey: apiKey! },
  });
  for await (const message of executor.runTurn({ session, prompt, model: 'claude-sonnet-4-6', cwd, maxTokens: 512 })) {
    if (message.type === 'result') console.log(`you: ${prompt}\nclaude: ${message.subtype === 'success' ? message.result : message.subtype}`);
  }
}

// The transcript: <root>/projects/<projectKey>/<sessionId>.jsonl, readable by Claude Code and the official SDK.
const file = join(store.root, 'projects', session.projectKey, `${session.sessionId}.jsonl`);
const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
console.log(`\ntranscript: ${file}`);
for (const line of lines) {
  const entry = JSON.parse(line) as { type: string; message?: { role: string } };
  console.log(`  ${entry.type}${entry.message ? ` (${entry.message.role})` : ''}`);
}
const [summary] = (await store.listSessionSummaries(session.projectKey)).filter((item) => item.sessionId === session.sessionId);
console.log(`summary: ${JSON.stringify(summary)}`);

await emulator?.close();
if (smoke) {
  rmSync(root, { recursive: true, force: true });
  // Two turns of one user message and one assistant reply each, at least.
  if (lines.length < 4 || !lines.every((line) => line.startsWith('{'))) process.exitCode = 1;
} else {
  console.log(`\nThe folder stays for you to look at: ${root}`);
}
