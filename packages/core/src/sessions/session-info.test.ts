import { describe, expect, it } from 'vitest';
import { sessionInfoFromSummary, sessionInfoFromText } from './session-info.js';
import { serializeTranscript } from './transcript-text.js';

const sessionId = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';

describe('sessionInfoFromSummary', () => {
  const summary = (data: Record<string, unknown>) => ({ sessionId, mtime: 1234, data });

  it('maps the folded fields, title first', () => {
    expect(
      sessionInfoFromSummary(
        summary({ firstPrompt: 'hi', firstPromptLocked: true, aiTitle: 'AI', lastPrompt: 'last', gitBranch: 'main', tag: 't', createdAt: 5, cwd: '/p' }),
        '/fallback',
      ),
    ).toEqual({ sessionId, summary: 'AI', lastModified: 1234, customTitle: 'AI', firstPrompt: 'hi', gitBranch: 'main', cwd: '/p', tag: 't', createdAt: 5 });
  });

  it('falls back to last prompt, summary hint, first prompt, then the command', () => {
    expect(sessionInfoFromSummary(summary({ lastPrompt: 'L', summaryHint: 'S' }), undefined)?.summary).toBe('L');
    expect(sessionInfoFromSummary(summary({ summaryHint: 'S', commandFallback: '/init' }), undefined)?.summary).toBe('S');
    const command = sessionInfoFromSummary(summary({ commandFallback: '/init' }), '/dir');
    expect(command).toMatchObject({ summary: '/init', firstPrompt: '/init', cwd: '/dir' });
  });

  it('drops sidechain sessions and sessions with nothing to show', () => {
    expect(sessionInfoFromSummary(summary({ isSidechain: true, customTitle: 'x' }), undefined)).toBeUndefined();
    expect(sessionInfoFromSummary(summary({ tag: 'only' }), undefined)).toBeUndefined();
    expect(sessionInfoFromSummary(summary({ customTitle: 5, createdAt: 'soon' }), undefined)).toBeUndefined();
  });
});

describe('sessionInfoFromText', () => {
  const text = serializeTranscript([
    { type: 'user', uuid: 'u', timestamp: '2026-01-01T00:00:00.000Z', message: { content: 'hello' } },
    { type: 'assistant', uuid: 'a', timestamp: '2026-01-01T00:00:09.000Z', message: { content: [] } },
  ]);

  it('uses the last entry timestamp unless an mtime is given', () => {
    expect(sessionInfoFromText(sessionId, text)?.lastModified).toBe(Date.parse('2026-01-01T00:00:09.000Z'));
    expect(sessionInfoFromText(sessionId, text, { mtime: 7 })?.lastModified).toBe(7);
  });
});
