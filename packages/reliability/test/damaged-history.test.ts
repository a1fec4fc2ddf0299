import { createToolRunner, SdkError, type SessionStore, type SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { startMessagesEmulator, textReply, type MessagesEmulator } from '@sdk/testing/emulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorFor, newSession, runTurn } from './support/harness.js';

// Damaged transcripts through the whole executor: a transcript written by real tool-using turns is
// mutated at random (entries dropped, duplicated, swapped, re-parented into cycles or dangling
// parents, truncated, contents blanked), and the next turn of the session must either run with a
// history the API accepts (the emulator validates every request) or fail with a typed SdkError.

const NUM_RUNS = 200;
const CRASH_SHAPED_RUNS = 500;
/** The one rejection core is known to produce (reported): a leaf path starting with the assistant. */
const KNOWN_LEADING_ASSISTANT = /first message must use the "user" role/;

let emulator: MessagesEmulator;
let base: SessionStoreEntry[];
const outcomes = { accepted: 0, typedError: 0, knownLeadingAssistant: 0 };
let count = 0;

beforeAll(async () => {
  emulator = await startMessagesEmulator();
  const store = new InMemorySessionStore();
  const session = newSession();
  const tools = createToolRunner([{ name: 'Note', description: 'd', inputSchema: { type: 'object' }, run: (input) => `noted ${JSON.stringify(input)}` }]);
  emulator.enqueue(
    { type: 'message', content: [{ type: 'text', text: 'Two notes.' }, { type: 'tool_use', name: 'Note', input: { n: 1 } }, { type: 'tool_use', name: 'Note', input: { n: 2 } }] },
    { type: 'message', content: [{ type: 'thinking', thinking: 'one more' }, { type: 'tool_use', name: 'Note', input: { n: 3 } }] },
    textReply('all noted'),
  );
  await runTurn(executorFor(store, emulator), { session, prompt: 'first turn', tools });
  await runTurn(executorFor(store, emulator), { session, prompt: 'second turn', tools });
  base = (await store.load(session))!;
  expect(base.length).toBeGreaterThan(10);
  emulator.reset();
});

afterAll(async () => {
  await emulator.close();
  console.log(`damaged histories: ${count} cases passed before the end or the first failure, ${JSON.stringify(outcomes)}`);
});

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number; to: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'reparent'; at: number; to: number | 'dangling' | 'null' }
  | { kind: 'truncate'; at: number }
  | { kind: 'blank'; at: number; content: unknown };

const index = fc.nat({ max: 40 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: index }),
  fc.record({ kind: fc.constant('duplicate' as const), at: index, to: index }),
  fc.record({ kind: fc.constant('swap' as const), at: index, with: index }),
  fc.record({ kind: fc.constant('reparent' as const), at: index, to: fc.oneof(index, fc.constantFrom('dangling' as const, 'null' as const)) }),
  fc.record({ kind: fc.constant('truncate' as const), at: index }),
  fc.record({ kind: fc.constant('blank' as const), at: index, content: fc.constantFrom('', [], null, [{ type: 'text', text: '' }], [{ type: 'bogus' }]) }),
);

function apply(entries: SessionStoreEntry[], change: Mutation): SessionStoreEntry[] {
  const out = entries.map((entry) => structuredClone(entry));
  if (out.length === 0) return out;
  const at = change.at % out.length;
  switch (change.kind) {
    case 'drop':
      out.splice(at, 1);
      break;
    case 'duplicate':
      out.splice(change.to % (out.length + 1), 0, structuredClone(out[at]!));
      break;
    case 'swap': {
      const other = change.with % out.length;
      [out[at], out[other]] = [out[other]!, out[at]!];
      break;
    }
    case 'reparent':
      out[at]!.parentUuid = change.to === 'dangling' ? '00000000-0000-4000-8000-000000000000' : change.to === 'null' ? null : (out[change.to % out.length]!.uuid ?? null);
      break;
    case 'truncate':
      out.splice(at);
      break;
    case 'blank': {
      const message = out[at]!.message as { content?: unknown } | undefined;
      if (message !== undefined) message.content = change.content;
      break;
    }
  }
  return out;
}

/** A store of the official minimal protocol that keeps every entry as given (duplicates included). */
function rawStore(initial: SessionStoreEntry[]): SessionStore {
  const entries = [...initial];
  return {
    append: async (_key, batch) => {
      entries.push(...batch);
    },
    load: async () => (entries.length === 0 ? null : [...entries]),
  };
}

/** Runs the next turn over `store`; classifies the outcome, failing on anything but the allowed ones. */
async function nextTurn(store: SessionStore, allowKnown: boolean): Promise<string[]> {
  const from = emulator.requests.length;
  const { error } = await runTurn(executorFor(store, emulator), { session, prompt: 'after the damage', retry: { maxRetries: 0 } });
  const rejected = emulator.requests.slice(from).flatMap((request) => (request.rejected === undefined ? [] : [request.rejected]));
  if (error !== undefined) {
    expect(error).toBeInstanceOf(SdkError);
    outcomes.typedError++;
    return [];
  }
  if (allowKnown && rejected.length > 0 && rejected.every((message) => KNOWN_LEADING_ASSISTANT.test(message))) {
    outcomes.knownLeadingAssistant++;
    return [];
  }
  if (rejected.length === 0) outcomes.accepted++;
  return rejected;
}

const session = newSession();

describe('the next turn after damage to a transcript', () => {
  it('crash-shaped damage (cut at any entry, any run of entries written again): the API accepts the next turn', async () => {
    await fc.assert(
      fc.asyncProperty(index, fc.option(fc.tuple(index, index), { nil: undefined }), fc.boolean(), async (cut, replay, deduplicating) => {
        // A crash keeps a prefix; a retried write appends a run of entries already stored.
        const kept = base.slice(0, 1 + (cut % base.length));
        const written = replay === undefined ? kept : [...kept, ...kept.slice(replay[0] % kept.length, 1 + (replay[1] % kept.length))];
        const store = deduplicating ? new InMemorySessionStore() : rawStore(written);
        if (deduplicating) await store.append(session, written);
        expect(await nextTurn(store, false), JSON.stringify({ cut, replay, deduplicating })).toEqual([]);
        count++;
      }),
      { numRuns: CRASH_SHAPED_RUNS },
    );
  });

  // Found by this suite, fixed in core: the resume repair used to fix only the end of a history. Damage in the
  // middle (what `lenientLoad: true` leaves when it skips a corrupt line, or a hand-edited file) is
  // sent as is, and the API refuses every later turn of the session: a `tool_result` whose `tool_use`
  // is gone, a `tool_use` whose result is gone, an empty text block, a history starting with the
  // assistant. The rebuild sanitizes the whole history (sanitize-history.ts), so the API accepts it.
  it('arbitrary damage (drop, duplicate, swap, re-parent, truncate, blank): the API accepts the next turn or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const damaged = mutations.reduce(apply, base);
        const store = new InMemorySessionStore();
        if (damaged.length > 0) await store.append(session, damaged);
        expect(await nextTurn(store, true), JSON.stringify(mutations)).toEqual([]);
        count++;
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
