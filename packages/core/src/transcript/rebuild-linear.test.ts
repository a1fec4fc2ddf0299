import { describe, expect, it } from 'vitest';
import type { SessionStoreEntry } from '../store/session-store.js';
import { collectLinearHistory, findLeaf, rebuildConversation } from './rebuild.js';
import { sanitizeHistory } from './sanitize-history.js';

/** A small seeded generator (mulberry32): the same transcripts on every run. */
function randomSource(seed: number): { next: () => number; pick: <T>(items: readonly T[]) => T; chance: (p: number) => boolean } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: (items) => items[Math.floor(next() * items.length)]!, chance: (p) => next() < p };
}

/**
 * A transcript as the executor or the CLI writes it (prompts, responses split into one entry per
 * block, tool results, system lines, metadata, sidechains), then damaged in random ways: what the
 * walk handles and the single pass must either gather identically or leave to the walk.
 */
function randomTranscript(seed: number): SessionStoreEntry[] {
  const random = randomSource(seed);
  const entries: SessionStoreEntry[] = [];
  let serial = 0;
  const uuid = (): string => `e${serial++}`;
  let parent: string | null = random.chance(0.1) ? 'outside' : null;
  const chain = (entry: SessionStoreEntry): SessionStoreEntry => {
    const full = { ...entry, uuid: uuid(), parentUuid: parent, isSidechain: false };
    entries.push(full);
    parent = full.uuid;
    return full;
  };
  const text = (): { type: 'text'; text: string } => ({ type: 'text', text: random.pick(['hello', 'more', '', '  ', '\u00a0x', 'done']) });
  let responses = 0;
  let calls = 0;
  const exchanges = 1 + Math.floor(random.next() * 6);
  for (let exchange = 0; exchange < exchanges; exchange++) {
    const prompt = random.pick<unknown>(['go', '', [text()], [text(), text()], []]);
    chain({ type: 'user', message: { role: 'user', content: prompt } });
    if (random.chance(0.15)) entries.push({ type: 'last-prompt', lastPrompt: 'go', sessionId: 's' });
    if (random.chance(0.1)) entries.push({ type: 'user', uuid: uuid(), parentUuid: parent, isSidechain: true, message: { role: 'user', content: 'side' } });
    if (random.chance(0.1)) chain({ type: 'system', subtype: 'turn_duration', durationMs: 5 });
    if (random.chance(0.05)) chain({ type: 'attachment', renderedRole: 'user', rendered: [{ content: 'note' }] });
    let toolRounds = random.chance(0.5) ? 1 + Math.floor(random.next() * 2) : 0;
    for (;;) {
      const id = random.chance(0.05) ? undefined : `msg_${responses++}`;
      const blocks: unknown[] = [];
      if (random.chance(0.3)) blocks.push({ type: 'thinking', thinking: 'hmm', signature: 'sig' });
      if (random.chance(0.7)) blocks.push(random.chance(0.3) ? { type: 'text', text: 'answer', citations: null } : text());
      const callIds: string[] = [];
      if (toolRounds > 0) {
        for (let call = 0; call < 1 + Math.floor(random.next() * 2); call++) {
          callIds.push(`tu_${calls++}`);
          blocks.push({ type: 'tool_use', id: callIds.at(-1), name: 'Read', input: {}, ...(random.chance(0.3) && { caller: { type: 'direct' } }) });
        }
      }
      const split = random.chance(0.5);
      const parts = split ? blocks.map((block) => [block]) : [blocks];
      for (const content of parts) chain({ type: 'assistant', message: { ...(id !== undefined && { id }), role: 'assistant', type: 'message', content, usage: { input_tokens: 3, output_tokens: 2 } } });
      if (toolRounds === 0) break;
      toolRounds--;
      const answered = callIds.filter(() => !random.chance(0.1));
      const results = answered.map((toolUseId) => ({ type: 'tool_result', tool_use_id: toolUseId, content: 'out' }));
      if (random.chance(0.5)) chain({ type: 'user', message: { role: 'user', content: [...results, ...(random.chance(0.2) ? [text()] : [])] } });
      else for (const result of results) chain({ type: 'user', message: { role: 'user', content: [result] } });
      if (random.chance(0.1)) break;
    }
  }
  // Damage: what long-lived transcripts pick up (hand edits, lost or repeated writes, branches).
  const damage = random.chance(0.5) ? Math.floor(random.next() * 3) + 1 : 0;
  for (let step = 0; step < damage && entries.length > 1; step++) {
    const at = Math.floor(random.next() * entries.length);
    const entry = entries[at]!;
    switch (random.pick(['duplicate', 'swap', 'relink', 'drop', 'branch', 'boundary', 'continue-response', 'orphan-result'])) {
      case 'duplicate':
        entries.push({ ...entry });
        break;
      case 'swap': {
        const other = Math.floor(random.next() * entries.length);
        [entries[at], entries[other]] = [entries[other]!, entry];
        break;
      }
      case 'relink':
        entries[at] = { ...entry, parentUuid: random.pick([null, 'nowhere', entries[Math.floor(random.next() * entries.length)]!.uuid ?? null]) };
        break;
      case 'drop':
        entries.splice(at, 1);
        break;
      case 'branch':
        entries.push({ type: 'user', uuid: uuid(), parentUuid: entry.uuid ?? null, isSidechain: false, message: { role: 'user', content: 'branch' } });
        break;
      case 'boundary':
        entries.push({ type: 'system', subtype: 'compact_boundary', uuid: uuid(), parentUuid: null });
        entries.push({ type: 'user', uuid: uuid(), parentUuid: entries.at(-1)!.uuid!, isSidechain: false, message: { role: 'user', content: 'Summary' } });
        break;
      case 'continue-response':
        // The last response goes on after its results, as when the CLI runs tools while streaming.
        entries.push({ type: 'assistant', uuid: uuid(), parentUuid: entries.at(-1)!.uuid ?? null, isSidechain: false, message: { id: `msg_${responses - 1}`, role: 'assistant', content: [text()] } });
        break;
      case 'orphan-result':
        entries.push({ type: 'user', uuid: uuid(), parentUuid: entries.at(-1)!.uuid ?? null, isSidechain: false, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_0', content: 'late' }] } });
        break;
    }
  }
  return entries;
}

describe('rebuildConversation: the single pass over an unbranched chain', () => {
  it('gathers exactly what the walk gathers, for every transcript it takes that is not forged', () => {
    let taken = 0;
    let declined = 0;
    let forged = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const entries = randomTranscript(seed);
      const leaf = findLeaf(entries);
      if (collectLinearHistory(entries) === undefined) declined++;
      else taken++;
      const uuids = entries.filter((entry) => entry.isSidechain !== true && typeof entry.uuid === 'string').map((entry) => entry.uuid);
      if (new Set(uuids).size < uuids.length) {
        // Decision 36: a repeated uuid that still chains is forged, and may be read differently; what
        // is sent must still be a history the API accepts (which the sanitizer leaves as it is).
        forged++;
        const { messages } = rebuildConversation(entries);
        expect(sanitizeHistory(messages), `seed ${seed}`).toBe(messages);
        continue;
      }
      // A `resumeAt` always takes the walk; at the leaf it must give what no `resumeAt` gives.
      const walked = leaf === null ? rebuildConversation([]) : rebuildConversation(entries, { resumeAt: leaf });
      expect(rebuildConversation(entries), `seed ${seed}`).toEqual(walked);
    }
    // Both ways are exercised by a good share of the cases, or the comparison proves little.
    expect(taken).toBeGreaterThan(600);
    expect(declined).toBeGreaterThan(600);
    expect(forged).toBeLessThan(600);
  });

  const user = (uuid: string, parentUuid: string | null, content: unknown): SessionStoreEntry => ({ type: 'user', uuid, parentUuid, isSidechain: false, message: { role: 'user', content } });
  const assistant = (uuid: string, parentUuid: string, id: string, content: unknown[]): SessionStoreEntry => ({
    type: 'assistant',
    uuid,
    parentUuid,
    isSidechain: false,
    message: { id, role: 'assistant', content },
  });
  const call = { type: 'tool_use', id: 'tu_1', name: 'Read', input: {} };
  const result = { type: 'tool_result', tool_use_id: 'tu_1', content: 'out' };

  it('takes the transcripts the executor and the CLI write', () => {
    const chat = [
      { type: 'queue-operation', operation: 'enqueue' },
      user('u1', null, 'hi'),
      assistant('a1', 'u1', 'msg_1', [{ type: 'text', text: 'reading' }]),
      assistant('a2', 'a1', 'msg_1', [call]),
      { type: 'system', subtype: 'turn_duration', uuid: 's1', parentUuid: 'a2', isSidechain: false },
      user('r1', 's1', [result]),
      assistant('a3', 'r1', 'msg_2', [{ type: 'text', text: 'done' }]),
      { type: 'last-prompt', lastPrompt: 'hi', leafUuid: 'a3' },
    ];
    const gathered = collectLinearHistory(chat);
    expect(gathered !== undefined && 'messages' in gathered ? gathered.messages : undefined).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'reading' }, call] },
      { role: 'user', content: [result] },
      { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
    ]);
    expect(collectLinearHistory([])).toEqual({ leafUuid: null });
  });

  it('leaves branches, compactions, attachments, repeats and misplaced results to the walk', () => {
    const base = [user('u1', null, 'hi'), assistant('a1', 'u1', 'msg_1', [call]), user('r1', 'a1', [result])];
    const declined: Record<string, SessionStoreEntry[]> = {
      branch: [...base, user('u2', 'a1', 'other way')],
      compaction: [{ type: 'system', subtype: 'compact_boundary', uuid: 'b', parentUuid: null, isSidechain: false }, user('s', 'b', 'Summary')],
      attachment: [...base, { type: 'attachment', uuid: 'at', parentUuid: 'r1', isSidechain: false, renderedRole: 'user', rendered: [{ content: 'x' }] }],
      'entries appended twice': [...base, base[1]!, base[2]!],
      'response going on after its results': [...base, assistant('a2', 'r1', 'msg_1', [{ type: 'text', text: 'more' }])],
      'result after the prompt': [user('u1', null, 'hi'), assistant('a1', 'u1', 'msg_1', [call]), user('u2', 'a1', 'and'), user('r1', 'u2', [result])],
      'result of no call': [user('u1', null, 'hi'), assistant('a1', 'u1', 'msg_1', [{ type: 'text', text: 'x' }]), user('r1', 'a1', [result])],
      'first entry names the last': [{ ...base[0]!, parentUuid: 'r1' }, base[1]!, base[2]!],
    };
    for (const [name, entries] of Object.entries(declined)) expect(collectLinearHistory(entries), name).toBeUndefined();
  });

  it('takes an entry forged to chain on under an older uuid in file order (decision 36)', () => {
    const forged = [user('u1', null, 'hi'), assistant('a1', 'u1', 'msg_1', [{ type: 'text', text: 'yes' }]), user('u1', 'a1', 'again')];
    // The walk drops the second `u1` and ends at a1; the single pass keeps it. Either is sendable.
    expect(rebuildConversation(forged).messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'yes' }] },
      { role: 'user', content: 'again' },
    ]);
    expect(rebuildConversation(forged, { resumeAt: 'a1' }).messages).toHaveLength(2);
  });
});
