import type { SessionStoreEntry } from '@sdk/core';

/**
 * Realistic transcripts in the on-disk format the official CLI writes (see
 * shared/reference/transcript-format.md), with deterministic uuids and timestamps so the outputs
 * of two implementations can be compared exactly.
 */

const START = Date.parse('2026-11-20T10:00:00.000Z');

/** A deterministic v4-shaped UUID: `series` tells sessions apart, `index` entries. */
export function fixtureUuid(series: number, index: number): string {
  return `${series.toString(16).padStart(8, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

type Entry = SessionStoreEntry;

/** Builds the chain entries of one session: common fields, increasing timestamps, uuid numbering. */
class TranscriptBuilder {
  readonly entries: Entry[] = [];
  private clock = 0;
  constructor(
    readonly series: number,
    readonly sessionId: string,
    readonly cwd: string,
    private readonly common: Record<string, unknown> = {},
  ) {}

  id(index: number): string {
    return fixtureUuid(this.series, index);
  }

  timestamp(): string {
    return new Date(START + this.series * 3_600_000 + this.clock++ * 1000).toISOString();
  }

  chain(index: number, parent: number | null, fields: Record<string, unknown>): this {
    this.entries.push({
      parentUuid: parent === null ? null : this.id(parent),
      isSidechain: false,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: '2.1.332',
      gitBranch: 'main',
      entrypoint: 'sdk-ts',
      ...this.common,
      type: 'user',
      uuid: this.id(index),
      timestamp: this.timestamp(),
      ...fields,
    });
    return this;
  }

  user(index: number, parent: number | null, content: unknown, extra: Record<string, unknown> = {}): this {
    return this.chain(index, parent, { type: 'user', message: { role: 'user', content }, ...extra });
  }

  assistant(index: number, parent: number, messageId: string, block: Record<string, unknown>, extra: Record<string, unknown> = {}): this {
    return this.chain(index, parent, {
      type: 'assistant',
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [block],
        stop_reason: block.type === 'tool_use' ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      },
      requestId: `req_${messageId}`,
      ...extra,
    });
  }

  toolResult(index: number, parent: number, toolUseId: string, content: string, extra: Record<string, unknown> = {}): this {
    return this.user(index, parent, [{ type: 'tool_result', tool_use_id: toolUseId, content }], {
      toolUseResult: { stdout: content, stderr: '', interrupted: false },
      sourceToolAssistantUUID: this.id(parent),
      ...extra,
    });
  }

  attachment(index: number, parent: number, attachment: Record<string, unknown>): this {
    return this.chain(index, parent, { type: 'attachment', attachment });
  }

  meta(entry: Entry): this {
    this.entries.push({ sessionId: this.sessionId, ...entry });
    return this;
  }
}

/** One fixture session: its id and entries, with what a reader must make of it. */
export type FixtureSession = { name: string; sessionId: string; entries: Entry[] };

/** All fixture sessions of one project directory. */
export function fixtureSessions(cwd: string): FixtureSession[] {
  const sessions: FixtureSession[] = [];
  const add = (name: string, series: number, build: (builder: TranscriptBuilder) => void, common?: Record<string, unknown>) => {
    const builder = new TranscriptBuilder(series, fixtureUuid(0xabc00000 + series, 0), cwd, common);
    build(builder);
    sessions.push({ name, sessionId: builder.sessionId, entries: builder.entries });
  };

  add('tool calls, title, tag', 1, (t) =>
    t
      .meta({ type: 'queue-operation', operation: 'enqueue', timestamp: t.timestamp() })
      .user(1, null, [{ type: 'text', text: 'List the files and read a.txt' }], { promptId: 'p1' })
      .attachment(2, 1, { type: 'date', date: '2026-11-20' })
      .assistant(3, 2, 'msg_1', { type: 'thinking', thinking: 'Two tools at once.', signature: 'sig' })
      .assistant(4, 3, 'msg_1', { type: 'tool_use', id: 'toolu_read', name: 'Read', input: { file_path: 'a.txt' } })
      .assistant(5, 4, 'msg_1', { type: 'tool_use', id: 'toolu_glob', name: 'Glob', input: { pattern: '*' } })
      .toolResult(6, 5, 'toolu_glob', 'a.txt b.txt')
      .toolResult(7, 4, 'toolu_read', 'contents of a')
      .assistant(8, 7, 'msg_2', { type: 'text', text: 'There are two files; a.txt says "contents of a".' })
      .meta({ type: 'last-prompt', lastPrompt: 'List the files and read a.txt', leafUuid: t.id(8) })
      .meta({ type: 'custom-title', customTitle: 'File survey' })
      .user(9, 8, 'Now summarise b.txt')
      .chain(10, 9, { type: 'system', subtype: 'informational', content: 'Heads up', level: 'info' })
      .assistant(11, 10, 'msg_3', { type: 'tool_use', id: 'toolu_agent', name: 'Agent', input: { prompt: 'read b' } })
      .toolResult(12, 11, 'toolu_agent', 'b.txt holds numbers')
      .assistant(13, 12, 'msg_4', { type: 'text', text: 'b.txt holds numbers.' })
      .meta({ type: 'tag', tag: 'review' })
      .meta({ type: 'x-thirdparty-note', note: 'unknown types pass' })
      .meta({ type: 'user', message: { role: 'user', content: 'an entry without uuid is skipped' } })
      .meta({ type: 'last-prompt', lastPrompt: 'Now summarise b.txt', leafUuid: t.id(13) }),
  );

  add('compacted', 2, (t) =>
    t
      .user(1, null, 'Explain the build')
      .assistant(2, 1, 'msg_c1', { type: 'text', text: 'It uses turbo.' })
      .user(3, 2, 'And the tests?')
      .assistant(4, 3, 'msg_c2', { type: 'text', text: 'vitest.' })
      .chain(5, null, {
        type: 'system',
        subtype: 'compact_boundary',
        content: 'Conversation compacted',
        level: 'info',
        isMeta: false,
        logicalParentUuid: t.id(4),
        compactMetadata: { trigger: 'manual', preTokens: 1200, preservedSegment: { headUuid: t.id(4), anchorUuid: t.id(6), tailUuid: t.id(4) } },
      })
      .user(6, 5, 'This session is being continued from a previous conversation. Summary: build and tests.', {
        isCompactSummary: true,
        isVisibleInTranscriptOnly: true,
      })
      .user(7, 4, [{ type: 'text', text: '<local-command-caveat>Caveat</local-command-caveat>' }], { isMeta: true })
      .user(8, 7, 'One more question'),
  );

  add('sidechain only', 3, (t) => t.user(1, null, 'subagent prompt').assistant(2, 1, 'msg_s', { type: 'text', text: 'ok' }), {
    isSidechain: true,
  });

  add('metadata only', 4, (t) =>
    t.meta({ type: 'queue-operation', operation: 'enqueue', timestamp: t.timestamp() }).meta({ type: 'tag', tag: 'orphan' }),
  );

  add('branches', 5, (t) =>
    t
      .user(1, null, 'Pick a colour')
      .assistant(2, 1, 'msg_b1', { type: 'text', text: 'Red.' })
      .user(3, 2, 'Another')
      .assistant(4, 3, 'msg_b2', { type: 'text', text: 'Blue.' })
      // resumeSessionAt the first answer: a later branch in the file, the one that counts.
      .user(5, 2, 'Different question')
      .assistant(6, 5, 'msg_b3', { type: 'text', text: 'Green.' }),
  );

  add('slash command and AI title', 6, (t) =>
    t
      .user(1, null, '<command-name>/init</command-name>\n<command-message>init</command-message>')
      .assistant(2, 1, 'msg_i', { type: 'text', text: 'Initialised.' })
      .meta({ type: 'ai-title', aiTitle: 'Project setup' }),
  );

  add('long', 7, (t) => {
    t.user(1, null, `A long first prompt ${'word '.repeat(60)}`);
    let previous = 1;
    // About 200 KB: the title written in the middle is in neither the first nor the last 64 KiB.
    for (let index = 2; index < 160; index += 2) {
      t.assistant(index, previous, `msg_l${index}`, { type: 'text', text: 'x'.repeat(1900) });
      t.user(index + 1, index, `follow-up ${index}`);
      previous = index + 1;
      if (index === 80) t.meta({ type: 'custom-title', customTitle: 'Lost in the middle' });
    }
    t.assistant(160, previous, 'msg_end', { type: 'text', text: 'Done' }, { gitBranch: 'feature/long' });
    t.meta({ type: 'relocated', relocatedCwd: '/moved/elsewhere' });
  });

  add('image prompt', 8, (t) =>
    t
      .user(1, null, [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }])
      .assistant(2, 1, 'msg_img', { type: 'text', text: 'A cat.' }),
  );

  add('pasted, bash, meta, denial', 9, (t) =>
    t
      .user(1, null, '<local-command-caveat>Caveat: local commands</local-command-caveat>', { isMeta: true })
      .user(2, 1, '<bash-input>git status</bash-input>')
      .user(3, 2, 'Review this:\n\n<pasted_content id="0a1f">\nfunction f() {}\n</pasted_content id="0a1f">\n\nplease')
      .assistant(4, 3, 'msg_p1', { type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: { command: 'rm -rf /' } })
      .toolResult(5, 4, 'toolu_bash', 'The user rejected this tool use', { toolDenialKind: 'user-rejected' })
      .user(6, 5, 'A message from a channel', { isMeta: true, origin: { kind: 'channel', channel: 'ops' } })
      .assistant(7, 6, 'msg_p2', { type: 'text', text: 'Understood.' }, { interruptedByShutdown: true })
      .user(8, 7, 'Background task done', { origin: { kind: 'task-notification', runId: 'run-1', secret: 'dropped' } })
      .assistant(9, 8, 'msg_p3', { type: 'text', text: 'Noted.' }),
  );

  add('preserved messages compaction', 10, (t) =>
    t
      .user(1, null, 'Start')
      .assistant(2, 1, 'msg_q1', { type: 'text', text: 'Started.' })
      .user(3, 2, 'Keep me')
      .assistant(4, 3, 'msg_q2', { type: 'text', text: 'Kept.' })
      .chain(5, null, {
        type: 'system',
        subtype: 'compact_boundary',
        content: 'Conversation compacted',
        compactMetadata: { trigger: 'auto', preTokens: 9000, preservedMessages: { anchorUuid: t.id(6), uuids: [t.id(3), t.id(4)] } },
      })
      .user(6, 5, 'Summary of the start.', { isCompactSummary: true })
      .user(7, 4, 'After compaction'),
  );

  return sessions;
}

/** A subagent transcript of `parentSessionId`, with its `agent_metadata` entry last. */
export function subagentTranscript(parentSessionId: string, agentId: string, cwd: string, metadata: Record<string, unknown>): Entry[] {
  const t = new TranscriptBuilder(0x5ab, parentSessionId, cwd, { isSidechain: true, agentId });
  t.user(1, null, 'Read b.txt and report')
    .assistant(2, 1, 'msg_sub1', { type: 'tool_use', id: 'toolu_sub_read', name: 'Read', input: { file_path: 'b.txt' } })
    .toolResult(3, 2, 'toolu_sub_read', '1 2 3')
    .assistant(4, 3, 'msg_sub2', { type: 'text', text: 'b.txt holds numbers' });
  return [...t.entries, { type: 'agent_metadata', agentType: 'general-purpose', description: 'read b', ...metadata }];
}

/** Every string in `value`, at any depth: what a mutation did not make fresh. */
export function knownStrings(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) knownStrings(item, into);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) knownStrings(item, into);
  return into;
}

/**
 * `value` (as JSON) with what a mutation makes fresh replaced by placeholders: uuids and session
 * ids not in `known` become `fresh-<n>` by first appearance, timestamps not in `known` become
 * `now`. Two runs of the same mutation then compare equal.
 */
export function normalizeFresh(value: unknown, known: Set<string>): unknown {
  const fresh = new Map<string, string>();
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') {
      if (known.has(item)) return item;
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(item)) {
        if (!fresh.has(item)) fresh.set(item, `fresh-${fresh.size}`);
        return fresh.get(item);
      }
      return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(item) ? 'now' : item;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === 'object' && item !== null) return Object.fromEntries(Object.entries(item).map(([key, field]) => [key, walk(field)]));
    return item;
  };
  return walk(value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
}
