/** One hunk of a unified diff, as the CLI's Edit and Write results carry it (`structuredPatch`). */
export type PatchHunk = {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Lines prefixed with `' '` (context), `'-'` (removed) or `'+'` (added). */
  lines: string[];
};

const CONTEXT_LINES = 3;
/** Above this many cells the line LCS is skipped and the changed middle is reported as replaced. */
const MAX_LCS_CELLS = 4_000_000;

type Operation = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The middle of a diff, after the common prefix and suffix, by longest common subsequence. */
function diffMiddle(before: readonly string[], after: readonly string[]): Operation[] {
  if (before.length * after.length > MAX_LCS_CELLS) {
    return [...before.map((line): Operation => ({ kind: '-', line })), ...after.map((line): Operation => ({ kind: '+', line }))];
  }
  const width = after.length + 1;
  const lengths = new Uint32Array((before.length + 1) * width);
  for (let i = before.length - 1; i >= 0; i -= 1) {
    for (let j = after.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        before[i] === after[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const operations: Operation[] = [];
  let i = 0;
  let j = 0;
  // Removals before additions within a change, as `diff -u` and the CLI print them.
  const removed: Operation[] = [];
  const added: Operation[] = [];
  const flush = (): void => {
    operations.push(...removed.splice(0), ...added.splice(0));
  };
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      flush();
      operations.push({ kind: ' ', line: before[i]! });
      i += 1;
      j += 1;
    } else if (j >= after.length || (i < before.length && lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!)) {
      removed.push({ kind: '-', line: before[i]! });
      i += 1;
    } else {
      added.push({ kind: '+', line: after[j]! });
      j += 1;
    }
  }
  flush();
  return operations;
}

function lineOperations(before: readonly string[], after: readonly string[]): Operation[] {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  return [
    ...before.slice(0, prefix).map((line): Operation => ({ kind: ' ', line })),
    ...diffMiddle(before.slice(prefix, before.length - suffix), after.slice(prefix, after.length - suffix)),
    ...before.slice(before.length - suffix).map((line): Operation => ({ kind: ' ', line })),
  ];
}

/**
 * The line diff of two texts as unified-diff hunks with three lines of context; changes whose
 * context overlaps share a hunk. Empty when the texts have the same lines.
 */
export function structuredPatch(before: string, after: string): PatchHunk[] {
  const operations = lineOperations(splitLines(before), splitLines(after));
  const changed = operations.flatMap((operation, index) => (operation.kind === ' ' ? [] : [index]));
  if (changed.length === 0) return [];

  // Group changed operations whose context windows touch.
  const ranges: Array<[number, number]> = [];
  for (const index of changed) {
    const last = ranges.at(-1);
    if (last !== undefined && index - last[1] <= 2 * CONTEXT_LINES + 1) last[1] = index;
    else ranges.push([index, index]);
  }

  // Line numbers before each operation.
  const oldLineAt: number[] = [];
  const newLineAt: number[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const operation of operations) {
    oldLineAt.push(oldLine);
    newLineAt.push(newLine);
    if (operation.kind !== '+') oldLine += 1;
    if (operation.kind !== '-') newLine += 1;
  }

  return ranges.map(([first, last]) => {
    const start = Math.max(0, first - CONTEXT_LINES);
    const end = Math.min(operations.length - 1, last + CONTEXT_LINES);
    const slice = operations.slice(start, end + 1);
    return {
      oldStart: oldLineAt[start]!,
      oldLines: slice.filter((operation) => operation.kind !== '+').length,
      newStart: newLineAt[start]!,
      newLines: slice.filter((operation) => operation.kind !== '-').length,
      lines: slice.map((operation) => `${operation.kind}${operation.line}`),
    };
  });
}
