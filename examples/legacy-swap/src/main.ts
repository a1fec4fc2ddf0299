// The legacy import swap: the same program run with the official `@anthropic-ai/claude-agent-sdk`
// (src/official.ts; it spawns the bundled Claude Code CLI) and with `@sdk/compat` (src/compat.ts; the
// turn runs in this process). The two files differ in one line:
//
//   import { query } from '@anthropic-ai/claude-agent-sdk';   →   import { query } from '@sdk/compat';
//
// Each run gets a fresh temporary HOME, so nothing touches your ~/.claude.
// Real Claude when ANTHROPIC_API_KEY is set, else the project's local Messages API emulator.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMessagesEmulator, textReply, type MessagesEmulator } from '@sdk/testing/emulator';
import { program as withCompat } from './compat.js';
import { program as withOfficial } from './official.js';

const smoke = process.argv.includes('--smoke');
const apiKey = smoke ? undefined : process.env.ANTHROPIC_API_KEY;
let emulator: MessagesEmulator | undefined;
if (!apiKey) {
  emulator = await startMessagesEmulator();
  console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
}

async function runWith(label: string, program: typeof withOfficial): Promise<{ kinds: string[]; results: string[] }> {
  const home = mkdtempSync(join(tmpdir(), 'legacy-swap-'));
  emulator?.reset();
  emulator?.enqueue(textReply('Noted: apple.'), textReply('The word was apple.'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_API_KEY: apiKey ?? 'emulator',
    ...(emulator ? { ANTHROPIC_BASE_URL: emulator.url } : {}),
    // Keeps the official CLI offline apart from the Messages API.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  try {
    const outcome = await program(env);
    console.log(`\n${label}\n  messages: ${outcome.kinds.join(', ')}\n  results:  ${outcome.results.map((result) => JSON.stringify(result)).join(', ')}`);
    return outcome;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const official = await runWith("import { query } from '@anthropic-ai/claude-agent-sdk'", withOfficial);
const ours = await runWith("import { query } from '@sdk/compat'", withCompat);
await emulator?.close();

const same = JSON.stringify(official) === JSON.stringify(ours);
console.log(`\n${same ? 'Same messages and results with both imports.' : 'The two runs differ (with real Claude the wording of replies may).'}`);
// The two programs must stay one program: everything after the import line is identical.
const withoutImport = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8').split('\n').slice(1).join('\n');
const oneLineSwap = withoutImport('./official.ts') === withoutImport('./compat.ts');
if (!oneLineSwap) console.error('src/official.ts and src/compat.ts differ beyond the import line.');
if (smoke && (!same || !oneLineSwap)) process.exitCode = 1;
