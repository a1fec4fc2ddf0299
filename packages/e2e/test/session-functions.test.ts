import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as official from '@anthropic-ai/claude-agent-sdk';
import {
  createSessionFunctions,
  InvalidArgumentError,
  InvalidSessionKeyError,
  projectKeyForDirectory,
  SessionNotFoundError,
  StoreCapabilityError,
} from '@sdk/core';
import type { SessionStore, SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureSessions,
  fixtureUuid,
  knownStrings,
  normalizeFresh,
  subagentTranscript,
  type FixtureSession,
} from './support/session-transcripts.js';

// Our session functions against the official ones (0.3.332, pure: no CLI is spawned), on the same
// store holding the same realistic transcripts: every output must be deep-equal.

const ours = createSessionFunctions();
const AGENT = 'a0123456789abcdef';
const NESTED_AGENT = 'b0123456789abcdef';

/** Outputs compared as JSON: an optional property that is undefined equals one that is absent. */
const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

type StoreKind = { name: string; create: () => SessionStore };
const STORE_KINDS: StoreKind[] = [
  { name: 'our InMemorySessionStore', create: () => new InMemorySessionStore() },
  { name: 'the official InMemorySessionStore', create: () => new official.InMemorySessionStore() },
];

/** A store with the required methods and listSessions only: listing loads every session. */
function withoutSummaries(store: SessionStore): SessionStore {
  return {
    append: (key, entries) => store.append(key, entries),
    load: (key) => store.load(key),
    listSessions: (projectKey) => store.listSessions!(projectKey),
    listSubkeys: (key) => store.listSubkeys!(key),
  };
}

let directory: string;
let projectKey: string;
let sessions: FixtureSession[];
let main: FixtureSession;
let populated: SessionStore;

async function populate(store: SessionStore): Promise<void> {
  for (const session of sessions) await store.append({ projectKey, sessionId: session.sessionId }, session.entries);
  await store.append(
    { projectKey, sessionId: main.sessionId, subpath: `subagents/agent-${AGENT}` },
    subagentTranscript(main.sessionId, AGENT, directory, { toolUseId: 'toolu_agent' }),
  );
  await store.append(
    { projectKey, sessionId: main.sessionId, subpath: `subagents/workflows/run-1/agent-${NESTED_AGENT}` },
    subagentTranscript(main.sessionId, NESTED_AGENT, directory, { toolUseId: 'toolu_nested', parentAgentId: AGENT }),
  );
  // Another project's session must never show up.
  const other = fixtureSessions('/elsewhere')[0]!;
  await store.append({ projectKey: 'another-project', sessionId: other.sessionId }, other.entries);
}

beforeAll(async () => {
  directory = await realpath(await mkdtemp(join(tmpdir(), 'e2e-session-functions-')));
  projectKey = projectKeyForDirectory(directory);
  sessions = fixtureSessions(directory);
  main = sessions[0]!;
  populated = new InMemorySessionStore();
  await populate(populated);
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const session = (name: string): FixtureSession => sessions.find((candidate) => candidate.name === name)!;
const sessionName = (sessionId: string): string | undefined => sessions.find((candidate) => candidate.sessionId === sessionId)?.name;

describe.each(STORE_KINDS)('read functions equal the official ones on $name', ({ create }) => {
  let store: SessionStore;
  beforeAll(async () => {
    store = create();
    await populate(store);
  });

  const listOptions = [{}, { limit: 3 }, { offset: 2 }, { limit: 2, offset: 3 }, { limit: 0 }, { offset: 50 }];
  it.each(listOptions)('listSessions %j', async (options) => {
    const expected = await official.listSessions({ ...options, dir: directory, sessionStore: store });
    const actual = await ours.listSessions({ ...options, dir: directory, sessionStore: store });
    expect(plain(actual)).toEqual(plain(expected));
    expect(actual.length).toBeGreaterThan(options.offset === 50 ? -1 : 0);
  });

  it.each(listOptions)('listSessions %j on a store without summaries', async (options) => {
    const bare = withoutSummaries(store);
    const expected = await official.listSessions({ ...options, dir: directory, sessionStore: bare });
    const actual = await ours.listSessions({ ...options, dir: directory, sessionStore: bare });
    expect(plain(actual)).toEqual(plain(expected));
  });

  it.each([{}, { limit: 3 }, { limit: 2, offset: 2 }])('listSessions %j reconciles stale, orphaned and missing summaries', async (page) => {
    const summaries = await store.listSessionSummaries!(projectKey);
    const listing = await store.listSessions!(projectKey);
    const stale = session('tool calls, title, tag').sessionId;
    const deleted = session('branches').sessionId;
    const unsummarized = session('long').sessionId;
    // The listing is newer than one summary, lacks a session that still has a summary, and has a
    // session without one: the official SDK loads the first and the last, and drops the second.
    const reconciling: SessionStore = {
      append: (key, entries) => store.append(key, entries),
      load: (key) => store.load(key),
      listSessions: () =>
        Promise.resolve(
          listing
            .filter((item) => item.sessionId !== deleted)
            .map((item) => (item.sessionId === stale ? { ...item, mtime: item.mtime + 60_000 } : item)),
        ),
      listSessionSummaries: () => Promise.resolve(summaries.filter((summary) => summary.sessionId !== unsummarized)),
    };
    const summariesOnly: SessionStore = {
      append: reconciling.append,
      load: reconciling.load,
      listSessionSummaries: reconciling.listSessionSummaries!,
    };
    for (const sessionStore of [reconciling, summariesOnly]) {
      const expected = await official.listSessions({ ...page, dir: directory, sessionStore });
      const actual = await ours.listSessions({ ...page, dir: directory, sessionStore });
      expect(plain(actual)).toEqual(plain(expected));
    }
    const all = await ours.listSessions({ dir: directory, sessionStore: reconciling });
    expect(all[0]?.sessionId).toBe(stale);
    expect(all[0]?.fileSize).toBeGreaterThan(0);
    expect(all.map((info) => info.sessionId)).not.toContain(deleted);
    expect(all.map((info) => info.sessionId)).toContain(unsummarized);
  });

  it('listSessions skips sidechain-only and metadata-only sessions', async () => {
    const names = async (sessionStore: SessionStore) =>
      new Map((await ours.listSessions({ dir: directory, sessionStore })).map((info) => [sessionName(info.sessionId), info]));
    const fromSummaries = await names(store);
    const fromTranscripts = await names(withoutSummaries(store));
    for (const listed of [fromSummaries, fromTranscripts]) {
      expect(listed.has('sidechain only')).toBe(false);
      expect(listed.has('metadata only')).toBe(false);
      expect(listed.get('tool calls, title, tag')?.summary).toBe('File survey');
    }
    // Official quirks, kept: a summary knows no "Image" placeholder, and a transcript read sees
    // only its first and last 64 KiB, so a title written in the middle of a long one is missed.
    expect(fromSummaries.has('image prompt')).toBe(false);
    expect(fromTranscripts.get('image prompt')?.summary).toBe('Image');
    expect(fromSummaries.get('long')?.customTitle).toBe('Lost in the middle');
    expect(fromTranscripts.get('long')?.customTitle).toBeUndefined();
    expect(fromTranscripts.get('long')?.cwd).toBe('/moved/elsewhere');
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('getSessionInfo of fixture %i', async (index) => {
    const { sessionId, entries } = sessions[index]!;
    const before = Date.now();
    const expected = plain(await official.getSessionInfo(sessionId, { dir: directory, sessionStore: store })) as Record<string, unknown> | undefined;
    const actual = plain(await ours.getSessionInfo(sessionId, { dir: directory, sessionStore: store })) as Record<string, unknown> | undefined;
    // Without a timestamp on the last entry both read "now": compare that it is now, not the ms.
    if (entries.at(-1)?.timestamp === undefined && expected && actual) {
      expect(actual.lastModified).toBeGreaterThanOrEqual(before);
      expect(actual.lastModified).toBeLessThanOrEqual(Date.now());
      actual.lastModified = expected.lastModified;
    }
    expect(actual).toEqual(expected);
  });

  const messageOptions = [{}, { includeSystemMessages: true }, { limit: 3 }, { offset: 2 }, { limit: 2, offset: 4 }, { limit: 0, offset: 1 }];
  for (const options of messageOptions) {
    it(`getSessionMessages ${JSON.stringify(options)} of every fixture`, async () => {
      for (const { sessionId } of sessions) {
        const expected = await official.getSessionMessages(sessionId, { ...options, dir: directory, sessionStore: store });
        const actual = await ours.getSessionMessages(sessionId, { ...options, dir: directory, sessionStore: store });
        expect(plain(actual), sessionId).toEqual(plain(expected));
      }
    });
  }

  it('getSessionMessages restores parallel tool calls and hides meta entries', async () => {
    const messages = await ours.getSessionMessages(main.sessionId, { dir: directory, sessionStore: store });
    expect(messages.map((message) => message.uuid).slice(0, 7)).toEqual([1, 3, 4, 5, 6, 7, 8].map((index) => fixtureUuid(1, index)));
  });

  it('listSubagents and getSubagentMessages', async () => {
    const options = { dir: directory, sessionStore: store };
    expect(await ours.listSubagents(main.sessionId, options)).toEqual(await official.listSubagents(main.sessionId, options));
    expect((await ours.listSubagents(main.sessionId, options)).sort()).toEqual([AGENT, NESTED_AGENT]);
    for (const agentId of [AGENT, NESTED_AGENT, 'missing', '']) {
      for (const page of [{}, { limit: 1 }, { offset: 1 }, { limit: 2, offset: 1 }]) {
        const expected = await official.getSubagentMessages(main.sessionId, agentId, { ...options, ...page });
        const actual = await ours.getSubagentMessages(main.sessionId, agentId, { ...options, ...page });
        expect(plain(actual), `${agentId} ${JSON.stringify(page)}`).toEqual(plain(expected));
      }
    }
    expect(await ours.getSubagentMessages(main.sessionId, NESTED_AGENT, options)).toMatchObject([
      { parent_tool_use_id: 'toolu_nested', parent_agent_id: AGENT },
    ].concat(Array(3).fill({ parent_tool_use_id: 'toolu_nested' })));
  });

  it('treats invalid and unknown ids like the official functions', async () => {
    const options = { dir: directory, sessionStore: store };
    for (const sessionId of ['', 'not-a-uuid', '../../etc/passwd', fixtureUuid(0xdead, 1)]) {
      expect(await ours.getSessionMessages(sessionId, options)).toEqual(await official.getSessionMessages(sessionId, options));
      expect(await ours.getSessionInfo(sessionId, options)).toEqual(await official.getSessionInfo(sessionId, options));
      expect(await ours.listSubagents(sessionId, options)).toEqual(await official.listSubagents(sessionId, options));
    }
  });
});

describe.each(STORE_KINDS)('malformed entries on $name', ({ create }) => {
  /** Entries with a string type (what every store accepts) but broken fields: deliberately ill-typed. */
  const malformed = [
    { type: 'user', uuid: 7 },
    { type: 'user', message: { role: 'user', content: 'no uuid' } },
    { type: 'assistant', uuid: 'self-parent', parentUuid: 'self-parent', message: { id: 5, content: 'x' } },
    { type: 'user', uuid: 'null-message', message: null },
    { type: 'assistant', uuid: 'dangling', parentUuid: 'missing', message: 'text' },
    { type: 'user', uuid: 'bad-blocks', message: { content: [null, 5, { type: 'text' }, { type: 'tool_result' }] } },
    { type: 'custom-title', customTitle: 5 },
    { type: 'tag', tag: null },
    { type: 'system', subtype: 'compact_boundary', uuid: 'no-metadata', compactMetadata: null },
    { type: 'agent_metadata', toolUseId: 42 },
  ] as unknown as SessionStoreEntry[];

  it('read and fork like the official functions, skipping what they skip', async () => {
    const store = create();
    const sessionId = fixtureUuid(0xbad, 0);
    const entries = [...main.entries.slice(0, 8), ...malformed, ...main.entries.slice(8)];
    await store.append({ projectKey, sessionId }, entries);
    await store.append({ projectKey, sessionId, subpath: `subagents/agent-${AGENT}` }, [...malformed, ...subagentTranscript(sessionId, AGENT, directory, {})]);
    const options = { dir: directory, sessionStore: store };
    expect(plain(await ours.listSessions(options))).toEqual(plain(await official.listSessions(options)));
    for (const messageOptions of [{}, { includeSystemMessages: true }]) {
      const expected = await official.getSessionMessages(sessionId, { ...options, ...messageOptions });
      expect(plain(await ours.getSessionMessages(sessionId, { ...options, ...messageOptions }))).toEqual(plain(expected));
      expect(expected.length).toBeGreaterThan(5);
    }
    expect(plain(await ours.getSubagentMessages(sessionId, AGENT, options))).toEqual(plain(await official.getSubagentMessages(sessionId, AGENT, options)));
    const known = knownStrings(entries);
    const expectedFork = await official.forkSession(sessionId, options);
    const actualFork = await ours.forkSession(sessionId, options);
    expect(normalizeFresh(await store.load({ projectKey, sessionId: actualFork.sessionId }), known)).toEqual(
      normalizeFresh(await store.load({ projectKey, sessionId: expectedFork.sessionId }), known),
    );
  });

  it('survive compaction metadata the official reader crashes on', async () => {
    const store = create();
    const sessionId = fixtureUuid(0xbad, 1);
    const broken: SessionStoreEntry = { type: 'system', subtype: 'compact_boundary', uuid: 'broken', compactMetadata: { preservedMessages: { uuids: 'x' } } };
    await store.append({ projectKey, sessionId }, [...main.entries, broken]);
    const options = { dir: directory, sessionStore: store };
    await expect(official.getSessionMessages(sessionId, options)).rejects.toThrow(TypeError);
    const messages = await ours.getSessionMessages(sessionId, options);
    expect(messages.map((message) => message.uuid)).toEqual((await ours.getSessionMessages(main.sessionId, { dir: directory, sessionStore: populated })).map((message) => message.uuid));
  });
});

describe('the project key without dir', () => {
  it('is the current directory, for both implementations', async () => {
    const store = new InMemorySessionStore();
    await store.append({ projectKey: projectKeyForDirectory(process.cwd()), sessionId: main.sessionId }, main.entries);
    const expected = await official.listSessions({ sessionStore: store });
    expect(plain(await ours.listSessions({ sessionStore: store }))).toEqual(plain(expected));
    expect(expected).toHaveLength(1);
    expect(plain(await ours.getSessionMessages(main.sessionId, { sessionStore: store }))).toEqual(
      plain(await official.getSessionMessages(main.sessionId, { sessionStore: store })),
    );
  });
});

describe.each(STORE_KINDS)('mutations write what the official ones write, on $name', ({ create }) => {
  let officialStore: SessionStore;
  let ourStore: SessionStore;
  let known: Set<string>;
  beforeAll(async () => {
    officialStore = create();
    ourStore = create();
    await populate(officialStore);
    await populate(ourStore);
    known = knownStrings(sessions);
  });

  const loadBoth = async (sessionId: string, ourSessionId = sessionId) => [
    normalizeFresh(await officialStore.load({ projectKey, sessionId }), known),
    normalizeFresh(await ourStore.load({ projectKey, sessionId: ourSessionId }), known),
  ];

  it('renameSession appends the same custom-title entry', async () => {
    const { sessionId } = session('branches');
    await official.renameSession(sessionId, '  Colour picking  ', { dir: directory, sessionStore: officialStore });
    await ours.renameSession(sessionId, '  Colour picking  ', { dir: directory, sessionStore: ourStore });
    const [expected, actual] = await loadBoth(sessionId);
    expect(actual).toEqual(expected);
    const info = await ours.getSessionInfo(sessionId, { dir: directory, sessionStore: ourStore });
    expect(info?.customTitle).toBe('Colour picking');
  });

  it('tagSession sets and clears the tag with the same entries', async () => {
    const { sessionId } = session('image prompt');
    for (const tag of [' urgent ', 'ＦＵＬＬ\u200bwidth', null]) {
      await official.tagSession(sessionId, tag, { dir: directory, sessionStore: officialStore });
      await ours.tagSession(sessionId, tag, { dir: directory, sessionStore: ourStore });
    }
    const [expected, actual] = await loadBoth(sessionId);
    expect(actual).toEqual(expected);
    expect((actual as SessionStoreEntry[]).slice(-3).map((entry) => entry.tag)).toEqual(['urgent', 'FULLwidth', '']);
  });

  const forks: Array<[string, string, { upToMessageId?: string; title?: string }]> = [
    ['a whole session', 'tool calls, title, tag', {}],
    ['up to a message, with a title', 'tool calls, title, tag', { upToMessageId: fixtureUuid(1, 7), title: '  Early  ' }],
    ['a compacted session', 'compacted', {}],
    ['a session titled by its first prompt', 'pasted, bash, meta, denial', {}],
    ['a session titled by its AI title', 'slash command and AI title', {}],
    ['a branched session', 'branches', { upToMessageId: fixtureUuid(5, 4) }],
  ];
  it.each(forks)('forkSession of %s copies the same entries', async (_label, name, options) => {
    const { sessionId } = session(name);
    const expected = await official.forkSession(sessionId, { ...options, dir: directory, sessionStore: officialStore });
    const actual = await ours.forkSession(sessionId, { ...options, dir: directory, sessionStore: ourStore });
    const [expectedEntries, actualEntries] = await loadBoth(expected.sessionId, actual.sessionId);
    expect(actualEntries).toEqual(expectedEntries);
    expect((actualEntries as unknown[]).length).toBeGreaterThan(1);
    // The fork reads the same through both implementations.
    const expectedMessages = await official.getSessionMessages(actual.sessionId, { dir: directory, sessionStore: ourStore });
    expect(plain(await ours.getSessionMessages(actual.sessionId, { dir: directory, sessionStore: ourStore }))).toEqual(plain(expectedMessages));
    expect(expectedMessages.length).toBeGreaterThan(0);
  });

  it('deleteSession removes the session and its subagents', async () => {
    await official.deleteSession(main.sessionId, { dir: directory, sessionStore: officialStore });
    await ours.deleteSession(main.sessionId, { dir: directory, sessionStore: ourStore });
    expect(await ourStore.load({ projectKey, sessionId: main.sessionId })).toBeNull();
    expect(await ourStore.listSubkeys!({ projectKey, sessionId: main.sessionId })).toEqual([]);
    const expected = (await official.listSessions({ dir: directory, sessionStore: officialStore })).map((info) => info.sessionId);
    const actual = (await ours.listSessions({ dir: directory, sessionStore: ourStore })).map((info) => info.sessionId);
    expect(normalizeFresh(actual, known)).toEqual(normalizeFresh(expected, known));
  });
});

describe('bad input', () => {
  it('rejects what the official functions reject, with typed errors', async () => {
    const store = new InMemorySessionStore();
    await populate(store);
    const options = { dir: directory, sessionStore: store };
    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>, new (...args: never[]) => Error]> = [
      ['rename: bad id', () => official.renameSession('nope', 't', options), () => ours.renameSession('nope', 't', options), InvalidSessionKeyError],
      ['rename: blank title', () => official.renameSession(main.sessionId, '  ', options), () => ours.renameSession(main.sessionId, '  ', options), InvalidArgumentError],
      ['tag: blank tag', () => official.tagSession(main.sessionId, ' ', options), () => ours.tagSession(main.sessionId, ' ', options), InvalidArgumentError],
      ['tag: bad id', () => official.tagSession('x', 't', options), () => ours.tagSession('x', 't', options), InvalidSessionKeyError],
      ['delete: bad id', () => official.deleteSession('x', options), () => ours.deleteSession('x', options), InvalidSessionKeyError],
      ['fork: bad id', () => official.forkSession('x', options), () => ours.forkSession('x', options), InvalidSessionKeyError],
      ['fork: unknown session', () => official.forkSession(fixtureUuid(0xdead, 2), options), () => ours.forkSession(fixtureUuid(0xdead, 2), options), SessionNotFoundError],
      [
        'fork: unknown message',
        () => official.forkSession(main.sessionId, { ...options, upToMessageId: 'missing' }),
        () => ours.forkSession(main.sessionId, { ...options, upToMessageId: 'missing' }),
        SessionNotFoundError,
      ],
      [
        'fork: metadata only',
        () => official.forkSession(session('metadata only').sessionId, options),
        () => ours.forkSession(session('metadata only').sessionId, options),
        SessionNotFoundError,
      ],
      [
        'list subagents without listSubkeys',
        () => official.listSubagents(main.sessionId, { dir: directory, sessionStore: { append: store.append.bind(store), load: store.load.bind(store) } }),
        () => ours.listSubagents(main.sessionId, { dir: directory, sessionStore: { append: store.append.bind(store), load: store.load.bind(store) } }),
        StoreCapabilityError,
      ],
      [
        'list without listSessions',
        () => official.listSessions({ dir: directory, sessionStore: { append: store.append.bind(store), load: store.load.bind(store) } }),
        () => ours.listSessions({ dir: directory, sessionStore: { append: store.append.bind(store), load: store.load.bind(store) } }),
        StoreCapabilityError,
      ],
    ];
    for (const [label, runOfficial, runOurs, errorClass] of cases) {
      await expect(runOfficial(), label).rejects.toThrow();
      await expect(runOurs(), label).rejects.toBeInstanceOf(errorClass);
    }
    // Nothing was written by the rejected calls.
    expect(await store.load({ projectKey, sessionId: main.sessionId })).toHaveLength(main.entries.length);
    expect(await store.listSessions(projectKey)).toHaveLength(sessions.length);
  });

  it('says how to fix a call without a store when no default is configured', async () => {
    await expect(ours.listSessions({ dir: directory })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(ours.importSessionToStore(main.sessionId, new InMemorySessionStore())).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
