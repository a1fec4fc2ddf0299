import { describe, expect, it } from 'vitest';
import { callToolResultToOutcome } from './call-tool-result.js';

describe('callToolResultToOutcome', () => {
  it('keeps text and API image types, describes other images and audio', () => {
    const outcome = callToolResultToOutcome({
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image', data: 'AAAA', mimeType: 'image/webp' },
        { type: 'image', data: 'AAAAAAAA', mimeType: 'image/svg+xml' },
        { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
      ],
    });
    expect(outcome).toEqual({
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'AAAA' } },
        { type: 'text', text: '[image: image/svg+xml, 6 bytes, not a type the model can view]' },
        { type: 'text', text: '[audio: audio/wav, 3 bytes]' },
      ],
    });
  });

  it('inlines text resources, shows image blobs, describes other blobs and links', () => {
    const outcome = callToolResultToOutcome({
      content: [
        { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'contents' } },
        { type: 'resource', resource: { uri: 'file:///a.png', mimeType: 'image/png', blob: 'AAAA' } },
        { type: 'resource', resource: { uri: 'file:///a.bin', blob: 'AAAA' } },
        { type: 'resource_link', uri: 'file:///b', name: 'b', description: 'the b file' },
      ],
    });
    expect(outcome.content).toEqual([
      { type: 'text', text: '[Resource from file:///a.txt] contents' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      { type: 'text', text: '[Resource from file:///a.bin: binary, 3 bytes]' },
      { type: 'text', text: '[Resource link: b] file:///b (the b file)' },
    ]);
  });

  it('keeps isError and structuredContent; empty content becomes an empty string', () => {
    expect(callToolResultToOutcome({ content: [], isError: true, structuredContent: { n: 1 } })).toEqual({ content: '', isError: true, structured: { n: 1 } });
    expect(callToolResultToOutcome({ content: [{ type: 'text', text: 'ok' }], isError: false })).toEqual({ content: [{ type: 'text', text: 'ok' }] });
  });

  it('reads results of the 2024-10-07 protocol (toolResult)', () => {
    expect(callToolResultToOutcome({ toolResult: { answer: 42 } })).toEqual({ content: [{ type: 'text', text: '{"answer":42}' }] });
  });
});
