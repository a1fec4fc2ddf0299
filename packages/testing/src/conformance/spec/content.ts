import { expect } from 'vitest';
import type { SessionStoreEntry } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, messageEntry, newSessionKey } from '../fixtures.js';

function nested(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let level = 0; level < depth; level++) value = { level, children: [value, null] };
  return value;
}

/** Entries whose content trips naive serialisation: encodings, separators, extreme numbers. */
function awkwardEntries(): SessionStoreEntry[] {
  return [
    messageEntry('emoji 😀👩‍👩‍👧‍👦🏳️‍🌈, CJK 漢字かなカナ한국어, RTL שלום مرحبا, combining e\u0301'),
    messageEntry('line one\nline two\r\nline three\ttabbed "quoted" \\backslash\\ \u2028 line separator \u2029 paragraph'),
    messageEntry('control \u0000 \u0001 \u001f \u007f and a lone surrogate \ud800 and json {"type":"fake"}\n{"type":"injected"}'),
    {
      type: 'assistant',
      uuid: 'b1f0e1a2-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
      message: {
        role: 'assistant',
        content: [{ type: 'text', text: '' }],
        usage: { input_tokens: 9_007_199_254_740_991, output_tokens: 123_456_789_012, cache_read_input_tokens: 0 },
      },
      numbers: [1e300, -1e300, 5e-324, 0.1 + 0.2, -42, 2 ** 53, 1.5e-10],
      flags: { yes: true, no: false, nothing: null },
      empty: { object: {}, array: [], string: '' },
      deep: nested(60),
    },
    // Keys that collide with object internals when a store uses plain objects as maps.
    JSON.parse('{"type":"user","uuid":"c2a1b0d9-8e7f-4a6b-9c5d-4e3f2a1b0c9d","__proto__":{"polluted":true},"constructor":"x","hasOwnProperty":1,"toString":"y"}') as SessionStoreEntry,
    { type: 'x'.repeat(200), 'key with spaces and 🙂': 'value', '': 'empty key', 'dotted.key': 1, 'slashed/key': 2 },
  ];
}

/** Entry content is opaque JSON: whatever goes in comes back deep-equal after a JSON round trip. */
export function registerContent(context: SpecContext): void {
  context.test('unicode, separators, control characters and extreme numbers round-trip', [], async (store) => {
    const key = newSessionKey();
    const entries = awkwardEntries();
    await store.append(key, entries);
    const loaded = await store.load(key);
    expect(loaded).toEqual(jsonRoundTrip(entries));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  context.test('each awkward entry round-trips on its own', [], async (store) => {
    const key = newSessionKey();
    const entries = awkwardEntries();
    for (const entry of entries) await store.append(key, [entry]);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('an entry that looks like a transcript line break does not split', [], async (store) => {
    const key = newSessionKey();
    const entries = [{ type: 'user', text: '}\n{"type":"assistant"}\n' }, { type: 'user', text: '\r\n\r\n' }];
    await store.append(key, entries);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });
}
