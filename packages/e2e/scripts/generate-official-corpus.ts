/**
 * Generates packages/e2e/fixtures/official-corpus: transcripts written by the OFFICIAL Claude Agent SDK
 * (its bundled Claude Code CLI) against the Messages API emulator, offline, one fresh temporary HOME per
 * case. Run from packages/e2e:  npx tsx scripts/generate-official-corpus.ts [case ...]
 *
 * Each case folder holds the `projects/` subtree the CLI wrote and a `case.json` (CorpusCase): the cwd
 * (a fixed path under /tmp/sdk-official-corpus, created for the run, so keys are reproducible), the
 * session ids, every call, and for each resumed call the transcript's line count just before it and
 * the first request body it sent. See docs/interop.md.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, type SDKMessage, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { echoReply, startMessagesEmulator, textReply, toolUseReply, type EmulatorReply, type MessagesEmulator, type RecordedRequest } from '@sdk/testing/emulator';
import { CORPUS_DIRECTORY, parseJsonl, type CorpusCall, type CorpusCase } from '../test/support/official-corpus.js';

const SDK_VERSION = (JSON.parse(await readFile(new URL('../node_modules/@anthropic-ai/claude-agent-sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const CWD_ROOT = '/tmp/sdk-official-corpus';
const MODEL = 'claude-sonnet-4-6';

type Block = { type: string; text?: string };

/** The newest real user text of a request, or undefined when the last user message answers tools. */
function promptOf(request: RecordedRequest): string | undefined {
  const last = request.messages.filter((message) => message.role === 'user').at(-1);
  if (last === undefined) return undefined;
  const blocks: Block[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : (last.content as Block[]);
  if (blocks.some((block) => block.type === 'tool_result')) return undefined;
  return blocks
    .filter((block) => block.type === 'text' && !String(block.text).trimStart().startsWith('<system-reminder>'))
    .map((block) => String(block.text))
    .join('\n');
}

/**
 * Markers in the prompt script the reply: `[[thinking]]` a thinking block and a text;
 * `[[read:<file>]]` one Read of <cwd>/<file>;
 * `[[parallel:<a>,<b>]]` two Reads in one reply; `[[agent]]` a foreground Agent call; the
 * summarization request of /compact gets `<analysis>…</analysis><summary>…</summary>`. Else the echo.
 */
function responderFor(cwd: string) {
  return (request: RecordedRequest): EmulatorReply => {
    const prompt = promptOf(request);
    if (prompt === undefined) return echoReply(request);
    if (/Respond with TEXT ONLY|create a detailed summary/i.test(prompt)) {
      return textReply('<analysis>The user asked two questions.</analysis>\n<summary>1. The user said "first" and then "second"; both were echoed.</summary>');
    }
    if (prompt.includes('[[thinking]]')) {
      return { type: 'message', content: [{ type: 'thinking', thinking: 'Let me think about it.' }, { type: 'text', text: 'Thought it over.' }] };
    }
    const read = /\[\[read:([^\]]+)\]\]/.exec(prompt);
    if (read !== null) return toolUseReply('Read', { file_path: join(cwd, read[1]!) }, { text: 'Reading it.' });
    const parallel = /\[\[parallel:([^,\]]+),([^\]]+)\]\]/.exec(prompt);
    if (parallel !== null) {
      return {
        type: 'message',
        content: [
          { type: 'text', text: 'Reading both.' },
          { type: 'tool_use', name: 'Read', input: { file_path: join(cwd, parallel[1]!) } },
          { type: 'tool_use', name: 'Read', input: { file_path: join(cwd, parallel[2]!) } },
        ],
      };
    }
    if (prompt.includes('[[agent]]')) {
      return toolUseReply(
        'Agent',
        { description: 'Count to three', prompt: 'Subagent task: count to three.', subagent_type: 'general-purpose', run_in_background: false },
        { text: 'Delegating.' },
      );
    }
    return echoReply(request);
  };
}

type Caller = {
  call: (prompt: string | string[], options?: CorpusCall['options']) => Promise<string>;
  /** The parsed lines of a main transcript of the case, as they are now. */
  entries: (sessionId: string) => Promise<Array<Record<string, unknown>>>;
};

type CaseDefinition = {
  name: string;
  description: string;
  /** Path of the cwd below CWD_ROOT. */
  cwdName: string;
  files?: Record<string, string>;
  run(caller: Caller): Promise<void>;
};

const CASES: CaseDefinition[] = [
  {
    name: 'multi-turn-resume',
    description: 'A new session, then two calls with options.resume: 3 turns in one file.',
    cwdName: 'multi-turn',
    async run({ call }) {
      const id = await call('Remember the word apple.');
      await call('Which word did I ask you to remember?', { resume: id });
      await call('Spell it backwards.', { resume: id });
    },
  },
  {
    name: 'tool-use',
    description: 'A scripted Read of a file in the cwd, then a reply with two parallel Reads, then a plain resumed turn.',
    cwdName: 'tool-use',
    files: { 'a.txt': 'alpha file\n', 'b.txt': 'beta file\n' },
    async run({ call }) {
      const id = await call('Read a.txt please [[read:a.txt]]');
      await call('Now read both files [[parallel:a.txt,b.txt]]', { resume: id });
      await call('Thanks, that is all.', { resume: id });
    },
  },
  {
    name: 'thinking-and-tool-error',
    description: 'A reply with a thinking block (signature kept), then a Read of a missing file (an error tool_result), then a plain resumed turn.',
    cwdName: 'thinking-error',
    async run({ call }) {
      const id = await call('Think first [[thinking]]');
      await call('Read the missing file [[read:missing.txt]]', { resume: id });
      await call('Never mind.', { resume: id });
    },
  },
  {
    name: 'fork-session',
    description: 'resume + forkSession:true (new file, copied chain), the source resumed again, then the fork resumed.',
    cwdName: 'fork',
    async run({ call }) {
      const source = await call('This is the source session.');
      const fork = await call('Now in the fork.', { resume: source, forkSession: true });
      await call('Back in the source.', { resume: source });
      await call('Continue the fork.', { resume: fork });
    },
  },
  {
    name: 'compact',
    description: 'Two turns, /compact (manual compaction, summary scripted), then one more turn.',
    cwdName: 'compact',
    async run({ call }) {
      const id = await call('first');
      await call('second', { resume: id });
      await call('/compact', { resume: id });
      await call('After the compaction.', { resume: id });
    },
  },
  {
    name: 'subagent',
    description: 'A foreground Agent call (run_in_background:false) whose subagent answers, then a resumed turn.',
    cwdName: 'subagent',
    async run({ call }) {
      const id = await call('Delegate the counting [[agent]]');
      await call('What did the subagent say?', { resume: id });
    },
  },
  {
    name: 'resume-session-at',
    description: '3 turns, then resume with resumeSessionAt the first answer (a branch in the same file), then a plain resume (follows the branch).',
    cwdName: 'resume-at',
    async run({ call, entries }) {
      const id = await call('First question.');
      const firstAnswer = (await entries(id)).filter((entry) => entry.type === 'assistant').at(-1)?.uuid;
      if (typeof firstAnswer !== 'string') throw new Error('no assistant entry after the first turn');
      await call('Second question.', { resume: id });
      await call('Third question.', { resume: id });
      await call('A different second question.', { resume: id, resumeSessionAt: firstAnswer });
      await call('After the branch.', { resume: id });
    },
  },
  {
    name: 'long-cwd',
    description: 'A cwd longer than 200 characters (the project key is truncated and hashed).',
    cwdName: `long-${'directory-name-segment-'.repeat(9)}end`,
    async run({ call }) {
      const id = await call('Hello from a long path.');
      await call('Still there?', { resume: id });
    },
  },
  {
    name: 'non-ascii-cwd',
    description: 'A cwd with non-ASCII characters (accents, CJK, emoji).',
    cwdName: 'café-日本語-🚀',
    async run({ call }) {
      const id = await call('Hello from a non-ASCII path.');
      await call('Still there?', { resume: id });
    },
  },
  {
    name: 'streaming-input',
    description: 'One query() with an AsyncIterable of 3 user messages (each sent after the previous result), then a resume.',
    cwdName: 'streaming',
    async run({ call }) {
      const id = await call(['one', 'two', 'three']);
      await call('And four.', { resume: id });
    },
  },
];

function messageRequests(emulator: MessagesEmulator): RecordedRequest[] {
  return emulator.requests.filter((request) => request.method === 'POST' && request.path === '/v1/messages');
}

async function lineCount(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
}

async function generate(definition: CaseDefinition): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'official-corpus-home-'));
  const configDirectory = join(home, '.claude');
  const cwd = join(CWD_ROOT, definition.cwdName);
  await rm(cwd, { recursive: true, force: true });
  await mkdir(cwd, { recursive: true });
  await mkdir(join(home, 'tmp'));
  for (const [name, text] of Object.entries(definition.files ?? {})) await writeFile(join(cwd, name), text);
  const emulator = await startMessagesEmulator({ respond: responderFor(cwd) });
  const calls: CorpusCall[] = [];
  const sessionIds: string[] = [];
  const projectDirectory = async (): Promise<string> => {
    const keys = await readdir(join(configDirectory, 'projects'));
    if (keys.length !== 1) throw new Error(`expected one project folder, found ${keys.join(', ')}`);
    return keys[0]!;
  };

  const call: Caller['call'] = async (prompt, options = {}) => {
    const before = messageRequests(emulator).length;
    const lines = options.resume === undefined ? undefined : await lineCount(join(configDirectory, 'projects', await projectDirectory(), `${options.resume}.jsonl`));
    const stderr: string[] = [];
    let resultSeen: () => void = () => undefined;
    async function* paced(texts: string[]): AsyncGenerator<SDKUserMessage> {
      for (const text of texts) {
        const answered = new Promise<void>((resolve) => {
          resultSeen = resolve;
        });
        yield { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null };
        await answered;
      }
    }
    const results: SDKMessage[] = [];
    for await (const message of query({
      prompt: typeof prompt === 'string' ? prompt : paced(prompt),
      options: {
        cwd,
        model: MODEL,
        maxTurns: 5,
        allowedTools: ['Read', 'Agent', 'Task'],
        ...options,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          TMPDIR: join(home, 'tmp'),
          CLAUDE_CONFIG_DIR: configDirectory,
          ANTHROPIC_BASE_URL: emulator.url,
          ANTHROPIC_API_KEY: 'x',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_AUTOUPDATER: '1',
        },
        stderr: (data) => stderr.push(data),
      },
    })) {
      if (message.type === 'result') {
        results.push(message);
        resultSeen();
      }
    }
    const last = results.at(-1);
    if (last?.type !== 'result' || last.subtype !== 'success') throw new Error(`${definition.name}: call failed: ${JSON.stringify(last)}\n${stderr.join('')}`);
    const rejected = emulator.requests.filter((request) => request.rejected !== undefined);
    if (rejected.length > 0) throw new Error(`${definition.name}: emulator rejected ${rejected.map((request) => request.rejected).join('; ')}`);
    const sessionId = last.session_id;
    if (options.resume === undefined || options.forkSession === true) sessionIds.push(sessionId);
    const record: CorpusCall = { prompt, options, sessionId };
    if (lines !== undefined) {
      const first = messageRequests(emulator)[before];
      if (first === undefined) throw new Error(`${definition.name}: a resumed call sent no request`);
      const body = first.body as { model: string; system: unknown; tools?: Array<{ name: string }> };
      record.resumed = { lines, request: { model: body.model, system: body.system, messages: first.messages, toolNames: (body.tools ?? []).map((tool) => tool.name) } };
    }
    calls.push(record);
    console.log(`  ${definition.name}: call ${calls.length} → ${sessionId} (${messageRequests(emulator).length - before} requests)`);
    return sessionId;
  };

  try {
    const entries: Caller['entries'] = async (sessionId) =>
      parseJsonl(await readFile(join(configDirectory, 'projects', await projectDirectory(), `${sessionId}.jsonl`), 'utf8'));
    await definition.run({ call, entries });
    const projectKey = await projectDirectory();
    const target = join(CORPUS_DIRECTORY, definition.name);
    await rm(target, { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    await cp(join(configDirectory, 'projects'), join(target, 'projects'), { recursive: true });
    const spec: CorpusCase = { name: definition.name, description: definition.description, sdkVersion: SDK_VERSION, cwd, projectKey, sessionIds, calls };
    await writeFile(join(target, 'case.json'), `${JSON.stringify(spec, null, 2)}\n`);
  } finally {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  }
}

const only = process.argv.slice(2);
const skipped: string[] = [];
for (const definition of CASES) {
  if (only.length > 0 && !only.includes(definition.name)) continue;
  console.log(`${definition.name}: ${definition.description}`);
  try {
    await generate(definition);
  } catch (error) {
    skipped.push(definition.name);
    console.log(`SKIPPED ${definition.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (skipped.length > 0) {
  console.log(`skipped (not written): ${skipped.join(', ')}`);
  process.exitCode = 1;
}
