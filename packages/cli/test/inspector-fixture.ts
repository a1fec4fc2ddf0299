import { randomUUID } from 'node:crypto';
import type { SessionStoreEntry } from '@sdk/core';
import { openStore } from '../src/open-store.js';
import { run } from '../src/main.js';
import { conversation } from './helpers.js';
import type { CliResult } from './helpers.js';

export const PROJECT = '-work-project';
export const AGENT_ID = 'a1b2c3d4e5f6';
/** Starts with text: the official listing leaves out sessions whose first prompt is only markup. */
export const XSS_PROMPT = 'Is this escaped? <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
export const SEARCH_WORD = 'zebra-unicorn';

/** What {@link seedInspectorStore} wrote, for the tests to find again. */
export type InspectorFixture = {
  /** A session with a fork, a compaction boundary and a subagent. */
  branched: { sessionId: string; entries: SessionStoreEntry[]; forkPoint: string; boundary: string; subagent: SessionStoreEntry[] };
  /** A session whose prompt is markup. */
  xss: { sessionId: string };
  /** The only session containing {@link SEARCH_WORD}. */
  searchable: { sessionId: string };
};

const stamp = (entry: { type: string } & Record<string, unknown>, sessionId: string, parentUuid: string | null, time: string): SessionStoreEntry => ({
  parentUuid,
  isSidechain: false,
  userType: 'external',
  cwd: '/work/project',
  sessionId,
  version: '2.1.0',
  gitBranch: 'main',
  timestamp: time,
  uuid: randomUUID(),
  ...entry,
});

const usage = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50 };

function reply(sessionId: string, parentUuid: string, text: string, time: string): SessionStoreEntry {
  return stamp(
    {
      type: 'assistant',
      message: { id: `msg_${randomUUID().replace(/-/g, '').slice(0, 20)}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text }], stop_reason: 'end_turn', usage },
    },
    sessionId,
    parentUuid,
    time,
  );
}

/**
 * Writes Claude Code transcripts, in the official format, into the store at `url`:
 *
 * - `branched`: two turns, then a second branch from the end of the first turn (as
 *   `resumeSessionAt` writes it), an Agent tool call answered by a subagent whose transcript is
 *   stored under `subagents/agent-<id>`, and a compaction (`system`/`compact_boundary`, summary,
 *   one more turn);
 * - `xss`: a prompt full of markup;
 * - `searchable`: the one session mentioning {@link SEARCH_WORD}.
 */
export async function seedInspectorStore(url: string): Promise<InspectorFixture> {
  const base = conversation({ prompts: ['Read the README please', 'And the license?'], cwd: '/work/project' });
  const sessionId = base.sessionId;
  const entries = [...base.entries];
  // The first turn ends with its fourth entry ("The README says hello."); branch from there.
  const forkPoint = entries[4]!.uuid!;
  const forkPrompt = stamp({ type: 'user', message: { role: 'user', content: 'Actually, read CONTRIBUTING instead' } }, sessionId, forkPoint, '2026-11-01T10:05:00.000Z');
  const toolUseId = `toolu_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const agentCall = stamp(
    {
      type: 'assistant',
      message: {
        id: `msg_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'tool_use', id: toolUseId, name: 'Agent', input: { description: 'Read CONTRIBUTING', prompt: 'Summarize CONTRIBUTING.md' } }],
        stop_reason: 'tool_use',
        usage,
      },
    },
    sessionId,
    forkPrompt.uuid!,
    '2026-11-01T10:05:01.000Z',
  );
  const agentResult = stamp(
    {
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: [{ type: 'text', text: 'CONTRIBUTING asks for tests.' }] }] },
      toolUseResult: { status: 'completed', agentId: AGENT_ID, content: [{ type: 'text', text: 'CONTRIBUTING asks for tests.' }] },
      sourceToolAssistantUUID: agentCall.uuid,
    },
    sessionId,
    agentCall.uuid!,
    '2026-11-01T10:05:30.000Z',
  );
  const afterAgent = reply(sessionId, agentResult.uuid!, 'CONTRIBUTING asks for tests.', '2026-11-01T10:05:31.000Z');
  const boundary = stamp(
    {
      type: 'system',
      subtype: 'compact_boundary',
      content: 'Conversation compacted',
      level: 'info',
      isMeta: false,
      logicalParentUuid: afterAgent.uuid,
      compactMetadata: { trigger: 'manual', preTokens: 48213 },
    },
    sessionId,
    null,
    '2026-11-01T10:06:00.000Z',
  );
  const summary = stamp(
    {
      type: 'user',
      isCompactSummary: true,
      isVisibleInTranscriptOnly: true,
      message: { role: 'user', content: 'This session is being continued from a previous conversation. Summary: README and CONTRIBUTING were read.' },
    },
    sessionId,
    boundary.uuid!,
    '2026-11-01T10:06:01.000Z',
  );
  const lastPrompt = stamp({ type: 'user', message: { role: 'user', content: 'What next after compaction?' } }, sessionId, summary.uuid!, '2026-11-01T10:07:00.000Z');
  const lastReply = reply(sessionId, lastPrompt.uuid!, 'Write the tests.', '2026-11-01T10:07:01.000Z');
  entries.push(forkPrompt, agentCall, agentResult, afterAgent, boundary, summary, lastPrompt, lastReply);

  const subagentPrompt = stamp({ type: 'user', message: { role: 'user', content: 'Summarize CONTRIBUTING.md' }, isSidechain: true, agentId: AGENT_ID }, sessionId, null, '2026-11-01T10:05:02.000Z');
  const subagentReply = { ...reply(sessionId, subagentPrompt.uuid!, 'CONTRIBUTING asks for tests.', '2026-11-01T10:05:20.000Z'), isSidechain: true, agentId: AGENT_ID };
  const subagent = [subagentPrompt, subagentReply];

  const xss = conversation({ prompts: [XSS_PROMPT], cwd: '/work/project', start: new Date('2026-11-02T09:00:00.000Z') });
  const searchable = conversation({ prompts: [`Where did the ${SEARCH_WORD} go?`], cwd: '/work/project', start: new Date('2026-11-03T09:00:00.000Z') });

  const opened = await openStore(url);
  try {
    await opened.store.append({ projectKey: PROJECT, sessionId, subpath: `subagents/agent-${AGENT_ID}` }, subagent);
    await opened.store.append({ projectKey: PROJECT, sessionId }, entries);
    await opened.store.append({ projectKey: PROJECT, sessionId: xss.sessionId }, xss.entries);
    await opened.store.append({ projectKey: PROJECT, sessionId: searchable.sessionId }, searchable.entries);
  } finally {
    await opened.close();
  }
  return { branched: { sessionId, entries, forkPoint, boundary: boundary.uuid!, subagent }, xss: { sessionId: xss.sessionId }, searchable: { sessionId: searchable.sessionId } };
}

/** `inspect` running in-process, as `sdk-sessions inspect` would, until `stop()`. */
export type RunningInspector = { url: string; stop(): Promise<CliResult> };

/** Starts `sdk-sessions inspect --store <url> --port 0 --open=false` and waits for the URL it prints. */
export async function startInspect(storeUrl: string, extra: readonly string[] = []): Promise<RunningInspector> {
  const interrupt = new AbortController();
  const output = { stdout: '', stderr: '' };
  let ended = false;
  const running = run(['inspect', '--store', storeUrl, '--port', '0', '--open=false', ...extra], {
    stdout: { write: (text: string) => (output.stdout += text) },
    stderr: { write: (text: string) => (output.stderr += text) },
    env: {},
    signal: interrupt.signal,
  }).then((code): CliResult => {
    ended = true;
    return { code, ...output };
  });
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (url === undefined) {
    if (ended) throw new Error(`inspect ended before serving: ${JSON.stringify(await running)}`);
    if (Date.now() > deadline) throw new Error(`inspect printed no URL within 15 s: ${JSON.stringify(output)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    url = /^http:\/\/127\.0\.0\.1:\d+\/\S+\/$/m.exec(output.stdout)?.[0];
  }
  return {
    url,
    stop: async () => {
      interrupt.abort();
      return running;
    },
  };
}
