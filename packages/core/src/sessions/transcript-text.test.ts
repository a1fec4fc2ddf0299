import { describe, expect, it } from 'vitest';
import { lastTimestampOf, serializeTranscript, sessionInfoFromWindows, transcriptWindows } from './transcript-text.js';

const sessionId = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';
const prompt = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'user',
  uuid: `u-${text}`,
  timestamp: '2026-01-02T03:04:05.000Z',
  cwd: '/work/p',
  gitBranch: 'main',
  message: { role: 'user', content: text },
  ...extra,
});
const info = (entries: Record<string, unknown>[], cwdFallback?: string) =>
  sessionInfoFromWindows(sessionId, transcriptWindows(serializeTranscript(entries as never), 42), cwdFallback);

describe('sessionInfoFromWindows', () => {
  it('reads the listing fields', () => {
    const entries = [prompt('hello'), { type: 'tag', tag: 'green' }, { ...prompt('again'), gitBranch: 'feature' }];
    expect(info(entries)).toEqual({
      sessionId,
      summary: 'hello',
      lastModified: 42,
      fileSize: Buffer.byteLength(serializeTranscript(entries as never)),
      firstPrompt: 'hello',
      gitBranch: 'feature',
      cwd: '/work/p',
      tag: 'green',
      createdAt: Date.parse('2026-01-02T03:04:05.000Z'),
    });
  });

  it('prefers custom title, then AI title, then last prompt, then summary, then first prompt', () => {
    const base = [prompt('first')];
    expect(info([...base, { type: 'summary', summary: 'S' }])?.summary).toBe('S');
    expect(info([...base, { type: 'summary', summary: 'S' }, { type: 'last-prompt', lastPrompt: 'L' }])?.summary).toBe('L');
    expect(info([...base, { type: 'last-prompt', lastPrompt: 'L' }, { type: 'ai-title', aiTitle: 'A' }])?.summary).toBe('A');
    const titled = info([...base, { type: 'ai-title', aiTitle: 'A' }, { type: 'custom-title', customTitle: 'C' }]);
    expect(titled?.summary).toBe('C');
    expect(titled?.customTitle).toBe('C');
  });

  it('skips sidechain and metadata-only sessions', () => {
    expect(info([prompt('x', { isSidechain: true })])).toBeUndefined();
    expect(info([{ type: 'queue-operation', operation: 'enqueue' }, { type: 'tag', tag: 't' }])).toBeUndefined();
  });

  it('uses a relocated cwd, else the first one, else the fallback', () => {
    expect(info([prompt('x'), { type: 'relocated', relocatedCwd: '/moved' }])?.cwd).toBe('/moved');
    expect(info([{ type: 'user', message: { content: 'x' } }], '/fallback')?.cwd).toBe('/fallback');
  });

  it('reads a title from a line torn by a crash', () => {
    const text = serializeTranscript([prompt('x')] as never) + '{"type":"user","message":{"con' + JSON.stringify({ type: 'custom-title', customTitle: 'Kept' }) + '\n';
    expect(sessionInfoFromWindows(sessionId, transcriptWindows(text, 1))?.customTitle).toBe('Kept');
  });

  it('reads only the first and last 64 KiB, like the official SDK', () => {
    const filler = (index: number) => ({ type: 'assistant', uuid: `a${index}`, message: { content: 'x'.repeat(1000) } });
    const middleTitle = [prompt('start'), ...Array.from({ length: 70 }, (_, i) => filler(i)), { type: 'custom-title', customTitle: 'Middle' }];
    const entries = [...middleTitle, ...Array.from({ length: 70 }, (_, i) => filler(100 + i))];
    expect(info(entries)?.customTitle).toBeUndefined();
    expect(info(entries)?.summary).toBe('start');
  });
});

describe('lastTimestampOf', () => {
  it('takes the last line timestamp, else now', () => {
    expect(lastTimestampOf('{"timestamp":"2026-01-01T00:00:00.000Z"}\n')).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    const before = Date.now();
    expect(lastTimestampOf('{"type":"tag"}\n')).toBeGreaterThanOrEqual(before);
    expect(lastTimestampOf('{torn')).toBeGreaterThanOrEqual(before);
  });
});
