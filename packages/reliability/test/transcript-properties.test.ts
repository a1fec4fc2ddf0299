import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldSessionSummary, rebuildConversation, SdkError, TranscriptCorruptError, type SessionStoreEntry } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Property-based fuzzing of the transcript parser (the file store's JSONL load), the conversation
// rebuild and the summary fold. Each property runs a fixed number of generated cases (NUM_RUNS); the
// totals are printed at the end of the file.

const NUM_RUNS = 1000;
const FILE_RUNS = 300;
/** Wall-clock bound of one call on a generated input (generous for a loaded 2-core machine). */
const TIME_BOUND_MS = 2000;
const casesRun: Record<string, number> = {};

function count(name: string): void {
  casesRun[name] = (casesRun[name] ?? 0) + 1;
}

afterAll(() => {
  const total = Object.values(casesRun).reduce((sum, n) => sum + n, 0);
  console.log(`property cases run: ${total} (${Object.entries(casesRun).map(([name, n]) => `${name}: ${n}`).join(', ')})`);
});

/** Runs `body`; anything thrown must be a typed SdkError; the call must end within the bound. */
function typedOrNothing<T>(body: () => T): T | SdkError {
  const started = performance.now();
  try {
    return body();
  } catch (error) {
    if (!(error instanceof SdkError)) throw new Error(`untyped throw: ${String(error)}`, { cause: error });
    return error;
  } finally {
    expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

/** A small uuid pool, so parents dangle, cycle, and uuids repeat. */
const POOL = Array.from({ length: 8 }, () => randomUUID());
const poolUuid = fc.constantFrom(...POOL);

/** Deeply nested JSON value (arrays/objects up to `depth`). */
const deep = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
};

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '\u0000', '\ud800', '\udfff', '\u2028', '{"', '\\', '\n'),
);

const anyContent = fc.oneof(
  weirdString,
  fc.constant(null),
  fc.integer(),
  fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('text'), text: weirdString }),
      fc.record({ type: fc.constant('tool_use'), id: fc.constantFrom('toolu_a', 'toolu_b', 'toolu_c'), name: fc.constant('T'), input: fc.constant({}) }),
      fc.record({ type: fc.constant('tool_result'), tool_use_id: fc.constantFrom('toolu_a', 'toolu_b', 'toolu_x'), content: weirdString }),
      fc.record({ type: fc.constantFrom('thinking', 'image', 'bogus'), data: weirdString }),
      fc.constant(null),
      fc.constant('not a block'),
      fc.integer({ min: 1, max: 300 }).map((depth) => deep(depth)),
    ),
    { maxLength: 4 },
  ),
);

/** Any entry: chain and non-chain types, random parents from the pool (cycles, dangling), junk fields. */
const anyEntry: fc.Arbitrary<SessionStoreEntry> = fc
  .record(
    {
      type: fc.constantFrom('user', 'assistant', 'system', 'attachment', 'summary', 'custom-title', 'last-prompt', 'tag', 'progress', 'x'),
      uuid: fc.oneof(poolUuid, fc.uuid(), fc.constant(undefined)),
      parentUuid: fc.oneof(poolUuid, fc.uuid(), fc.constant(null), fc.constant(undefined), fc.integer()),
      logicalParentUuid: fc.oneof(poolUuid, fc.constant(undefined)),
      isSidechain: fc.oneof(fc.boolean(), fc.constant(undefined)),
      subtype: fc.constantFrom(undefined, 'compact_boundary', 'api_error', 'informational'),
      message: fc.oneof(
        fc.record({ role: fc.constantFrom('user', 'assistant', 7), id: fc.constantFrom('msg_1', 'msg_2', undefined), content: anyContent }),
        fc.constant(undefined),
        fc.constant(null),
        weirdString,
      ),
      compactMetadata: fc.oneof(fc.constant(undefined), fc.record({ preservedSegment: fc.record({ headUuid: poolUuid, tailUuid: poolUuid, anchorUuid: poolUuid }) })),
      timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), weirdString, fc.constant(undefined)),
      customTitle: fc.oneof(weirdString, fc.constant(undefined)),
      tag: fc.oneof(weirdString, fc.constant(undefined)),
      cwd: fc.oneof(weirdString, fc.constant(undefined)),
    },
    { requiredKeys: ['type'] },
  )
  .map((record) => JSON.parse(JSON.stringify(record)) as SessionStoreEntry);

/** A valid linear conversation: user and assistant text entries alternating, each naming its parent. */
const validChain = fc.array(fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim().length > 0), { minLength: 1, maxLength: 12 }).map((texts) => {
  let parent: string | null = null;
  return texts.map((text, index) => {
    const uuid = randomUUID();
    const role = index % 2 === 0 ? 'user' : 'assistant';
    const entry: SessionStoreEntry = {
      type: role,
      uuid,
      parentUuid: parent,
      isSidechain: false,
      timestamp: new Date(1_700_000_000_000 + index * 1000).toISOString(),
      message:
        role === 'user'
          ? { role, content: [{ type: 'text', text }] }
          : { role, id: `msg_${uuid}`, type: 'message', model: 'm', content: [{ type: 'text', text }], stop_reason: 'end_turn' },
    };
    parent = uuid;
    return entry;
  });
});

/** Noise that must not change the leaf path: non-chain entries, sidechains, uuid-less entries, later copies of stored uuids. */
function noiseFor(chain: SessionStoreEntry[]): fc.Arbitrary<SessionStoreEntry> {
  return fc.oneof(
    fc.record({ type: fc.constantFrom('summary', 'custom-title', 'last-prompt', 'tag', 'ai-title', 'x-unknown'), customTitle: weirdString, leafUuid: poolUuid }),
    fc.record({ type: fc.constantFrom('user', 'assistant'), uuid: fc.uuid(), parentUuid: poolUuid, isSidechain: fc.constant(true), message: fc.record({ role: fc.constant('user'), content: weirdString }) }),
    fc.record({ type: fc.constantFrom('user', 'assistant'), message: fc.record({ role: fc.constant('user'), content: weirdString }) }),
    // A later duplicate of an entry already stored: the first occurrence wins.
    fc.constantFrom(...chain).map((entry) => ({ ...entry, message: { role: 'user', content: [{ type: 'text', text: 'DUPLICATE' }] } })),
  );
}

function textsOf(messages: ReadonlyArray<{ role: string; content?: unknown }>): string[] {
  return messages.flatMap((message) =>
    (Array.isArray(message.content) ? (message.content as Array<{ type: string; text?: string }>) : [{ type: 'text', text: String(message.content) }])
      .filter((block) => block.type === 'text')
      .map((block) => block.text!),
  );
}

// ---------------------------------------------------------------------------------------------
// rebuildConversation

describe('rebuildConversation under random and mutated transcripts', () => {
  it('never throws untyped, never hangs; the history alternates roles', () => {
    fc.assert(
      fc.property(fc.array(anyEntry, { maxLength: 40 }), fc.option(poolUuid, { nil: undefined }), (entries, resumeAt) => {
        count('rebuild/random');
        const rebuilt = typedOrNothing(() => rebuildConversation(entries, resumeAt === undefined ? {} : { resumeAt }));
        if (rebuilt instanceof SdkError) return;
        const roles = rebuilt.messages.map((message) => message.role);
        for (let i = 1; i < roles.length; i++) expect(roles[i], `roles ${roles.join(',')}`).not.toBe(roles[i - 1]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps every entry of a valid chain, in order, whatever noise is mixed in', () => {
    fc.assert(
      fc.property(
        validChain.chain((chain) => fc.tuple(fc.constant(chain), fc.array(fc.tuple(fc.nat(chain.length), noiseFor(chain)), { maxLength: 20 }))),
        ([chain, noise]) => {
          count('rebuild/valid-chain-with-noise');
          const entries: SessionStoreEntry[] = [...chain];
          // Insert noise after the chain entries it is placed behind (never before entry 0's copy source).
          for (const [at, entry] of noise) {
            // A duplicate goes after its original (the first occurrence is the stored one); other noise anywhere.
            const original = entry.uuid === undefined ? -1 : entries.findIndex((candidate) => candidate.uuid === entry.uuid);
            entries.splice(Math.max(at, original + 1), 0, entry);
          }
          const rebuilt = typedOrNothing(() => rebuildConversation(entries));
          expect(rebuilt).not.toBeInstanceOf(SdkError);
          const { messages, leafUuid } = rebuilt as Exclude<typeof rebuilt, SdkError>;
          expect(leafUuid).toBe(chain.at(-1)!.uuid);
          expect(textsOf(messages)).toEqual(chain.map((entry) => ((entry.message as { content: Array<{ text: string }> }).content[0]!.text)));
          expect(messages.map((message) => message.role)).toEqual(chain.map((entry) => entry.type));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  // Found by this suite, fixed in core: the rebuild kept a leaf path whose oldest message is the assistant's
  // (e.g. the first user line was skipped by a lenient load, or its parent dangles), so every later
  // turn of the session is refused by the API with 400 "first message must use the user role".
  // The rebuild drops leading assistant messages (sanitize-history.ts).
  it('a leaf path starting with an assistant message still rebuilds to a history that starts with the user', () => {
    count('rebuild/leading-assistant');
    const rebuilt = rebuildConversation([
      { type: 'assistant', uuid: randomUUID(), parentUuid: randomUUID(), message: { role: 'assistant', id: 'msg_x', content: [{ type: 'text', text: 'orphan answer' }], stop_reason: 'end_turn' } },
    ]);
    expect(rebuilt.messages.map((message) => message.role)[0] ?? 'user').toBe('user');
  });

  it('terminates on a long parent cycle and on a very long chain', () => {
    count('rebuild/cycle');
    const uuids = Array.from({ length: 5000 }, () => randomUUID());
    const cycle = uuids.map((uuid, index) => ({ type: index % 2 === 0 ? 'user' : 'assistant', uuid, parentUuid: uuids[(index + 1) % uuids.length], message: { role: index % 2 === 0 ? 'user' : 'assistant', id: `m${index}`, content: 'x' } }));
    typedOrNothing(() => rebuildConversation(cycle));
    count('rebuild/long-chain');
    const long = uuids.map((uuid, index) => ({ type: index % 2 === 0 ? 'user' : 'assistant', uuid, parentUuid: index === 0 ? null : uuids[index - 1], message: { role: index % 2 === 0 ? 'user' : 'assistant', id: `m${index}`, content: [{ type: 'text', text: `t${index}` }] } }));
    const rebuilt = typedOrNothing(() => rebuildConversation(long));
    expect(rebuilt).not.toBeInstanceOf(SdkError);
    expect((rebuilt as { messages: unknown[] }).messages).toHaveLength(5000);
  });
});

// ---------------------------------------------------------------------------------------------
// foldSessionSummary

describe('foldSessionSummary under random entries', () => {
  it('never throws untyped and always yields a summary of the key', () => {
    const sessionId = randomUUID();
    fc.assert(
      fc.property(fc.array(fc.array(anyEntry, { maxLength: 10 }), { maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 40 }), (batches, mtime) => {
        count('foldSessionSummary');
        let summary: ReturnType<typeof foldSessionSummary> | undefined;
        for (const batch of batches) {
          const folded = typedOrNothing(() => foldSessionSummary(summary, { projectKey: 'p', sessionId }, batch, { mtime }));
          if (folded instanceof SdkError) return;
          summary = folded;
          expect(summary.sessionId).toBe(sessionId);
          expect(summary.mtime).toBe(mtime);
          expect(typeof summary.data).toBe('object');
          // The summary must stay serializable (stores persist it as JSON).
          expect(() => JSON.stringify(summary)).not.toThrow();
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The file store's JSONL parser, through load()

type Line = { kind: 'valid'; entry: SessionStoreEntry } | { kind: 'junk'; bytes: Buffer };

const junkLine = fc.oneof(
  weirdString.filter((text) => !text.includes('\n')).map((text) => Buffer.from(text)),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes.map((byte) => (byte === 0x0a ? 0x20 : byte)))),
  // Invalid UTF-8 in an otherwise JSON-looking line.
  fc.constant(Buffer.concat([Buffer.from('{"type":"user","t":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"')])),
  fc.constantFrom('[1,2,3]', 'null', '42', '"str"', '{"unterminated":', '{}}'.repeat(3)).map((text) => Buffer.from(text)),
  // Deeply nested JSON: valid but absurd, or unbalanced.
  fc.integer({ min: 1000, max: 20_000 }).map((depth) => Buffer.from(`{"type":"x","deep":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
  fc.integer({ min: 1000, max: 20_000 }).map((depth) => Buffer.from(`{"type":"x","deep":${'['.repeat(depth)}`)),
);

const validLine = fc
  .record({ text: fc.string({ maxLength: 50 }), big: fc.boolean() })
  .map(({ text, big }) => ({ type: 'user', uuid: randomUUID(), parentUuid: null, message: { role: 'user', content: big ? 'y'.repeat(512 * 1024) : text } }));

const lines = fc.array(fc.oneof({ arbitrary: validLine.map((entry): Line => ({ kind: 'valid', entry })), weight: 3 }, { arbitrary: junkLine.map((bytes): Line => ({ kind: 'junk', bytes })), weight: 2 }), { maxLength: 12 });

describe('the file store JSONL parser on raw files', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'reliability-props-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function writeRaw(content: Line[], tornTail: Buffer | undefined): Promise<{ sessionId: string; valid: SessionStoreEntry[]; junk: number }> {
    const sessionId = randomUUID();
    const project = join(root, 'projects', 'fuzz');
    await mkdir(project, { recursive: true });
    const parts: Buffer[] = [];
    for (const line of content) parts.push(line.kind === 'valid' ? Buffer.from(JSON.stringify(line.entry)) : line.bytes, Buffer.from('\n'));
    if (tornTail !== undefined) parts.push(tornTail);
    await writeFile(join(project, `${sessionId}.jsonl`), Buffer.concat(parts));
    const valid = content.flatMap((line) => (line.kind === 'valid' ? [line.entry] : []));
    // Junk that happens to be a JSON object (e.g. `{}`) is a valid line to the parser.
    const junk = content.filter((line) => line.kind === 'junk' && !isJsonObject(line.bytes)).length;
    return { sessionId, valid, junk };
  }

  function isJsonObject(bytes: Buffer): boolean {
    try {
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  }

  const tornTail = fc.option(fc.constantFrom('{"type":"user","uuid":"', '{"a', '\u00e9'.slice(0, 1)).map((text) => Buffer.from(text)), { nil: undefined });

  it('lenient load: never throws, never hangs, keeps every valid line in order', async () => {
    const store = new FileSessionStore({ root, durability: 'none', lenientLoad: true, onCorruptLine: () => undefined });
    await fc.assert(
      fc.asyncProperty(lines, tornTail, async (content, tail) => {
        count('file-load/lenient');
        const { sessionId, valid } = await writeRaw(content, tail);
        const started = performance.now();
        const loaded = await store.load({ projectKey: 'fuzz', sessionId });
        expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS * 2);
        const uuids = (loaded ?? []).filter((entry) => typeof entry.uuid === 'string').map((entry) => entry.uuid);
        expect(uuids).toEqual(valid.map((entry) => entry.uuid));
        // Entries come back deep-equal to what was written.
        const byUuid = new Map((loaded ?? []).map((entry) => [entry.uuid, entry]));
        for (const entry of valid) expect(byUuid.get(entry.uuid)).toEqual(entry);
      }),
      { numRuns: FILE_RUNS },
    );
    await store.flush();
  });

  it('strict load: a corrupt line is a TranscriptCorruptError naming the line, else every valid line', async () => {
    const store = new FileSessionStore({ root, durability: 'none' });
    await fc.assert(
      fc.asyncProperty(lines, tornTail, async (content, tail) => {
        count('file-load/strict');
        const { sessionId, valid, junk } = await writeRaw(content, tail);
        let loaded: SessionStoreEntry[] | null = null;
        let failure: unknown;
        try {
          loaded = await store.load({ projectKey: 'fuzz', sessionId });
        } catch (error) {
          failure = error;
        }
        // A line of only whitespace is skipped, not corrupt.
        const corrupt = content.filter((line) => line.kind === 'junk' && line.bytes.toString('utf8').trim().length > 0 && !isJsonObject(line.bytes)).length;
        if (corrupt > 0) {
          expect(failure).toBeInstanceOf(TranscriptCorruptError);
          expect((failure as Error).message).toMatch(/Corrupt transcript line .*:\d+/);
        } else {
          expect(failure).toBeUndefined();
          expect((loaded ?? []).filter((entry) => typeof entry.uuid === 'string').map((entry) => entry.uuid)).toEqual(valid.map((entry) => entry.uuid));
        }
        expect(junk).toBeGreaterThanOrEqual(corrupt);
      }),
      { numRuns: FILE_RUNS },
    );
    await store.flush();
  });
});
