import { describe, expect, it } from 'vitest';
import { structuredPatch } from './structured-patch.js';

describe('structuredPatch', () => {
  it('is empty for equal texts', () => {
    expect(structuredPatch('a\nb\n', 'a\nb\n')).toEqual([]);
  });

  it('keeps three lines of context and splits distant changes into hunks', () => {
    const before = Array.from({ length: 20 }, (_, index) => `l${index + 1}`).join('\n');
    const after = before.replace('l2\n', 'L2\n').replace('l18', 'L18');
    expect(structuredPatch(before, after)).toEqual([
      { oldStart: 1, oldLines: 5, newStart: 1, newLines: 5, lines: [' l1', '-l2', '+L2', ' l3', ' l4', ' l5'] },
      { oldStart: 15, oldLines: 6, newStart: 15, newLines: 6, lines: [' l15', ' l16', ' l17', '-l18', '+L18', ' l19', ' l20'] },
    ]);
  });

  it('counts added lines from an empty text', () => {
    expect(structuredPatch('', 'a\nb\n')).toEqual([{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 2, lines: ['+a', '+b'] }]);
  });

  it('finds insertions inside a changed region', () => {
    expect(structuredPatch('a\nb\nc\n', 'a\nx\nb\nc\ny\n')).toEqual([
      { oldStart: 1, oldLines: 3, newStart: 1, newLines: 5, lines: [' a', '+x', ' b', ' c', '+y'] },
    ]);
  });
});
