import type { CliIo } from './io.js';

/** Counts of a batch operation: each item ends as one of these. */
export type ProgressCounts = { migrated: number; skipped: number; failed: number };

/** A progress report for `total` items. */
export type Progress = {
  /** Records one finished item. */
  tick(outcome: keyof ProgressCounts): void;
  /** The counts so far. */
  readonly counts: Readonly<ProgressCounts>;
  /** Clears the bar. Call once, before printing the final count. */
  stop(): void;
};

const BAR_WIDTH = 30;
/** Redraws are throttled: a terminal cannot show thousands of frames a second anyway. */
const REDRAW_INTERVAL_MS = 100;

/**
 * Draws a bar on stderr, redrawn in place, only when stderr is a terminal: piped or redirected
 * output gets no control characters. The final count ({@link finalCountLine}) is the command's job.
 */
export function createProgress(io: CliIo, total: number, label: string): Progress {
  const counts: ProgressCounts = { migrated: 0, skipped: 0, failed: 0 };
  const drawing = io.stderr.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  const draw = (force: boolean): void => {
    if (!drawing) return;
    const now = Date.now();
    if (!force && now - lastDraw < REDRAW_INTERVAL_MS) return;
    lastDraw = now;
    const done = counts.migrated + counts.skipped + counts.failed;
    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    io.stderr.write(`\r\x1b[2K${label} [${bar}] ${done}/${total}  ${finalCountLine(counts)}`);
    drawn = true;
  };
  draw(true);
  return {
    counts,
    tick(outcome) {
      counts[outcome]++;
      draw(counts.migrated + counts.skipped + counts.failed === total);
    },
    stop() {
      if (drawn) io.stderr.write('\r\x1b[2K');
    },
  };
}

/** `migrated 12, skipped 3, failed 0`: the line every migration ends with. */
export function finalCountLine(counts: Readonly<ProgressCounts>): string {
  return `migrated ${counts.migrated}, skipped ${counts.skipped}, failed ${counts.failed}`;
}
