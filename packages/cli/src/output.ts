import type { CliIo } from './io.js';

/**
 * How commands print: `--json` documents on stdout (one per command, pretty-printed, stable keys),
 * else aligned text tables for people. Messages and progress go to stderr, so stdout stays parseable.
 */

/** Prints `value` as the command's one JSON document. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A column of {@link printTable}; numbers read better right-aligned. */
export type Column = { header: string; align?: 'left' | 'right' };

/** Prints rows under headers, columns padded to their widest cell; the last column is not padded. */
export function printTable(io: CliIo, columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = columns.map((column, index) => Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        if (index === columns.length - 1) return column.align === 'right' ? cell.padStart(widths[index] ?? 0) : cell;
        return column.align === 'right' ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0);
      })
      .join('  ')
      .trimEnd();
  io.stdout.write(`${line(columns.map((column) => column.header))}\n`);
  for (const row of rows) io.stdout.write(`${line(row)}\n`);
}

/** `1.2 KiB`, `3.4 MiB`: sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `$0.0123`: four decimals, since single turns often cost fractions of a cent. */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

/** `12.3k` tokens. */
export function formatCount(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(1)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** `2026-11-26 03:26` in UTC, so output is the same on every machine. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ');
}

/** One line of at most `width` characters: whitespace runs collapsed, an ellipsis when cut. */
export function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}
