import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes a value and everything in it, in place', () => {
    const entry = { type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'hi' }] } };
    expect(deepFreeze(entry)).toBe(entry);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.message.content)).toBe(true);
    expect(Object.isFrozen(entry.message.content[0])).toBe(true);
    expect(() => {
      (entry.message.content[0] as { text: string }).text = 'changed';
    }).toThrow(TypeError);
  });

  it('leaves primitives alone and ends on a cycle', () => {
    expect(deepFreeze('text')).toBe('text');
    expect(deepFreeze(null)).toBeNull();
    const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
    cyclic.self = cyclic;
    cyclic.list.push(cyclic);
    expect(Object.isFrozen(deepFreeze(cyclic))).toBe(true);
    expect(Object.isFrozen(cyclic.list)).toBe(true);
  });
});
