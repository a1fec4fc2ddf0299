import { createHash } from 'node:crypto';
import { deepFreeze, SessionStoreError } from '@sdk/core/store';
import type { LoadedWindow, SessionStoreEntry } from '@sdk/core/store';

/** Bounds of a {@link WindowCache}. */
export type WindowCacheLimits = {
  /** Sessions kept at most (least recently used dropped first). */
  maxSessions: number;
  /** JSON characters of kept entries at most, over all sessions; a longer window is served but not kept. */
  maxBytes: number;
};

/** The READ_WINDOW script's reply: {-1}, {length, start, entries} or {length, start, entries from `from`, from}. */
export type WindowReply = [number, number?, string[]?, number?];

/** What the script is told the caller holds: start, end, the SHA1 of the last entry's JSON and the transcript's birth mark. */
export type Held = {
  readonly start: number;
  readonly end: number;
  readonly sha1: string;
  /** The session's birth mark when these entries were read (see ACQUIRE_LEASE_AND_LOAD): one life of the id, not the next. */
  readonly born: string;
  /** Deep-frozen entries `start` to `end - 1`. */
  readonly entries: readonly SessionStoreEntry[];
  /** JSON length of each entry, and their sum. */
  readonly sizes: readonly number[];
  readonly bytes: number;
};

/**
 * Parsed entries of main transcripts kept between read-only window loads with the lease (the
 * executor's `acquireLeaseAndLoad` every turn), so a turn parses only the entries appended since
 * this process last loaded the session, and Redis sends only those.
 *
 * Nothing is trusted without a check on the server: the load script is told which entries are held
 * (their start and end, and the SHA1 of the last one's JSON) and sends only the entries after them
 * when the window starts within them and the entry at that index is still the one held; otherwise
 * it sends the whole window, which replaces what was held. Within one life of a session its
 * transcript is only ever appended to, so an unchanged last entry means unchanged entries before
 * it; the session's birth mark, checked too, tells one life from the next (a session deleted and
 * written again under its id, maybe with the same length and last entry but redacted entries before
 * it). Kept entries are deep-frozen: every read-only load hands out the same objects.
 */
export class WindowCache {
  private readonly windows = new Map<string, Held>();
  private bytes = 0;

  constructor(private readonly limits: WindowCacheLimits) {}

  /** What is held for the transcript `log`, if anything (the caller passes it back to {@link window}). */
  held(log: string): Held | undefined {
    return this.windows.get(log);
  }

  /**
   * The window a READ_WINDOW reply describes, with the entries `held` supplied where the script sent
   * only what follows them; keeps the result for the next load of `log`. `parse` turns JSON lines into
   * entries, `lines[0]` being entry `start`.
   */
  window(log: string, held: Held | undefined, reply: WindowReply, born: string, parse: (lines: readonly string[], start: number) => SessionStoreEntry[]): LoadedWindow | null {
    if (reply[0] < 0) {
      this.forget(log);
      return null;
    }
    const length = reply[0];
    const start = reply[1] ?? 0;
    const lines = reply[2] ?? [];
    const from = reply[3];
    let entries: SessionStoreEntry[];
    let sizes: number[];
    let sha1: string;
    if (from !== undefined && held !== undefined && from === held.end && start >= held.start && born === held.born && born !== '') {
      const added = parse(lines, from);
      entries = held.entries.slice(start - held.start);
      sizes = held.sizes.slice(start - held.start);
      for (let index = 0; index < added.length; index++) {
        entries.push(deepFreeze(added[index]!));
        sizes.push(lines[index]!.length);
      }
      sha1 = lines.length === 0 ? held.sha1 : sha1Of(lines[lines.length - 1]!);
    } else if (from !== undefined) {
      // The script used entries this load did not offer (or of another life of the session): cannot happen; never guess.
      throw new SessionStoreError(`the load script answered from entry ${from} without a held window to start from`);
    } else {
      entries = parse(lines, start).map(deepFreeze);
      sizes = lines.map((line) => line.length);
      sha1 = lines.length === 0 ? '' : sha1Of(lines[lines.length - 1]!);
    }
    Object.freeze(entries);
    // Without a birth mark (a transcript whose meta hash is gone) nothing could be checked next time: keep nothing.
    if (born === '') this.forget(log);
    else this.keep(log, { start, end: start + entries.length, sha1, born, entries, sizes, bytes: sum(sizes) });
    return { entries, start, length };
  }

  /** Drops what is held for `log` (its session was deleted). */
  forget(log: string): void {
    const held = this.windows.get(log);
    if (held === undefined) return;
    this.windows.delete(log);
    this.bytes -= held.bytes;
  }

  private keep(log: string, window: Held): void {
    this.forget(log);
    if (window.entries.length === 0 || window.bytes > this.limits.maxBytes) return;
    this.windows.set(log, window);
    this.bytes += window.bytes;
    for (const [oldest, held] of this.windows) {
      if (this.windows.size <= this.limits.maxSessions && this.bytes <= this.limits.maxBytes) break;
      this.windows.delete(oldest);
      this.bytes -= held.bytes;
    }
  }
}

function sha1Of(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

