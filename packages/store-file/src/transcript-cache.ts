import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { deepFreeze } from '@sdk/core/store';
import type { LoadedWindow, SessionStoreEntry } from '@sdk/core/store';
import { SYNC_READ_LIMIT } from './bookkeeping.js';
import { errorCode, toStoreError } from './fs-errors.js';
import { lastBoundaryIndex, lineRanges, parseLines } from './transcript-window.js';

const readAsync = promisify(read);
const OPEN_READ = constants.O_RDONLY | constants.O_NOFOLLOW;
/** Bytes before the cached end compared on every use, so a rewritten file is not taken for an appended one. */
const FINGERPRINT_BYTES = 64;

/** Bounds of a {@link TranscriptCache}. */
export type TranscriptCacheLimits = {
  /** Transcript files kept at most (least recently used dropped first). */
  maxFiles: number;
  /** JSON bytes of kept entries at most, over all files; a longer window is served but not kept. */
  maxBytes: number;
};

/** What the cache knows about one transcript file: its entries from `base` to the end it had. */
type Cached = {
  dev: number;
  ino: number;
  /** File size the entries cover (the file ended with a newline there). */
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Creation time (0 where the file system keeps none): a file deleted and written again is a new one. */
  birthtimeMs: number;
  /** The `FINGERPRINT_BYTES` bytes before `size`. */
  fingerprint: Buffer;
  /** Entry index (among non-blank lines) of `entries[0]`. */
  base: number;
  /** Deep-frozen: shared by every read-only load. */
  entries: SessionStoreEntry[];
  /** Index of the last compaction boundary, or 0 when there is none. */
  windowStart: number;
  /** JSON bytes of `entries`, charged against the byte budget. */
  bytes: number;
};

type FileStats = { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number; birthtimeMs: number };

/**
 * Parsed transcript entries kept between read-only window loads (`loadWindow(…, { readOnly: true })`,
 * what the executor asks for every turn), so that a turn parses only the lines appended since the
 * previous one instead of the whole window.
 *
 * Nothing is trusted without a check against the file: every use opens the transcript, `fstat`s it
 * and reads the bytes from just before the cached end to the current end. The entries are reused
 * only while the device, inode, creation time and the last {@link FINGERPRINT_BYTES} bytes before
 * the cached end are unchanged, and, when the size is unchanged, the modification and change times
 * as well. The creation time tells a file deleted and written again (a redacted transcript) from the
 * one kept, when the new file got the freed inode and the same end: ext4 hands a freed inode out
 * again at once. A
 * file that grew (an append by this store, another process or the official CLI) has only its new
 * lines parsed; a file replaced, truncated, rewritten or touched is read again as a whole. A file
 * whose last line is not terminated (a writer mid-append, or a crash) is never cached.
 */
export class TranscriptCache {
  private readonly files = new Map<string, Cached>();
  private bytes = 0;

  /** `stat` reads an open file's identity (replaced only by tests, to give a file another one). */
  constructor(
    private readonly limits: TranscriptCacheLimits,
    private readonly stat: (fd: number) => FileStats = fstatSync,
  ) {}

  /** Files currently kept (for tests and diagnostics). */
  get size(): number {
    return this.files.size;
  }

  /** JSON bytes currently kept. */
  get keptBytes(): number {
    return this.bytes;
  }

  /** Drops what is kept for a session's main transcript and every file under its folder (it was removed). */
  forgetUnder(main: string, folder: string): void {
    for (const file of [...this.files.keys()]) if (file === main || file.startsWith(`${folder}/`)) this.forget(file);
  }

  /** Drops what is kept for `file`. */
  forget(file: string): void {
    const cached = this.files.get(file);
    if (cached === undefined) return;
    this.files.delete(file);
    this.bytes -= cached.bytes;
  }

  /**
   * The window `[start, end)` of `file` (`start` -1: from the last compaction boundary) as a
   * strict windowed load returns it, with shared frozen entries. `null` when the file does not
   * exist; `'full-parse-needed'` when its last line is not terminated; `undefined` when the cache
   * cannot answer (a corrupt line anywhere after the window's start), so the caller reads it itself.
   */
  async window(file: string, start: number, end: number | undefined): Promise<LoadedWindow | null | 'full-parse-needed' | undefined> {
    let fd: number;
    try {
      fd = openSync(file, OPEN_READ);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.forget(file);
        return null;
      }
      throw toStoreError(error, 'open', file);
    }
    try {
      const stats = this.stat(fd);
      let cached = await this.current(file, fd, stats);
      if (cached === 'full-parse-needed') return cached;
      if (cached === undefined || (start !== -1 && start < cached.base)) {
        const loaded = await this.readWhole(file, fd, stats, start, end);
        if (loaded === undefined || loaded === 'full-parse-needed' || !('base' in loaded)) return loaded;
        cached = loaded;
      }
      const length = cached.base + cached.entries.length;
      const from = Math.min(start === -1 ? cached.windowStart : start, length);
      const to = Math.max(from, Math.min(end ?? length, length));
      return { entries: cached.entries.slice(from - cached.base, to - cached.base), start: from, length };
    } catch (error) {
      this.forget(file);
      throw error;
    } finally {
      closeSync(fd);
    }
  }

  /** The kept entry for `file` brought up to date with the file, or `undefined` when it cannot be. */
  private async current(file: string, fd: number, stats: FileStats): Promise<Cached | 'full-parse-needed' | undefined> {
    const cached = this.files.get(file);
    if (cached === undefined) return undefined;
    const unchangedSize = stats.size === cached.size;
    const sameFile = cached.dev === stats.dev && cached.ino === stats.ino && cached.birthtimeMs === stats.birthtimeMs && stats.size >= cached.size;
    if (!sameFile || (unchangedSize && (stats.mtimeMs !== cached.mtimeMs || stats.ctimeMs !== cached.ctimeMs))) {
      this.forget(file);
      return undefined;
    }
    const from = cached.size - cached.fingerprint.length;
    const bytes = await readRange(fd, from, stats.size);
    if (bytes.length !== stats.size - from || !bytes.subarray(0, cached.fingerprint.length).equals(cached.fingerprint)) {
      this.forget(file);
      return undefined;
    }
    if (unchangedSize) {
      this.touch(file, cached);
      return cached;
    }
    const added = bytes.subarray(cached.fingerprint.length);
    if (added[added.length - 1] !== 0x0a) {
      this.forget(file);
      return 'full-parse-needed';
    }
    const ranges = lineRanges(added);
    let entries: SessionStoreEntry[];
    try {
      entries = parseLines(added, ranges, 0, ranges.length, file).map(deepFreeze);
    } catch {
      // A corrupt appended line: the caller's own read reports it if it lies in the window.
      this.forget(file);
      return undefined;
    }
    const length = cached.base + cached.entries.length;
    let windowStart = cached.windowStart;
    for (let index = entries.length - 1; index >= 0; index--) {
      if (isBoundary(entries[index]!)) {
        windowStart = length + index;
        break;
      }
    }
    this.forget(file);
    return this.keep(file, {
      ...fileIdentity(stats),
      fingerprint: fingerprintOf(added, cached.fingerprint),
      base: cached.base,
      entries: cached.entries.concat(entries),
      windowStart,
      bytes: cached.bytes + added.length,
    });
  }

  /**
   * Reads the file and parses it from the window's start (or the last boundary, whichever comes
   * first) to its end, kept for the next loads; a part too long for the byte budget is not kept,
   * and only the window itself is parsed.
   */
  private async readWhole(
    file: string,
    fd: number,
    stats: FileStats,
    start: number,
    end: number | undefined,
  ): Promise<Cached | LoadedWindow | 'full-parse-needed' | undefined> {
    this.forget(file);
    const buffer = await readRange(fd, 0, stats.size);
    if (buffer.length !== stats.size) return undefined;
    if (buffer.length > 0 && buffer[buffer.length - 1] !== 0x0a) return 'full-parse-needed';
    const ranges = lineRanges(buffer);
    try {
      const windowStart = lastBoundaryIndex(buffer, ranges, file);
      const base = Math.min(start === -1 ? windowStart : Math.min(start, windowStart), ranges.length);
      const offset = base < ranges.length ? ranges[base]![0] : buffer.length;
      if (buffer.length - offset > this.limits.maxBytes || this.limits.maxFiles === 0) {
        const from = Math.min(start === -1 ? windowStart : start, ranges.length);
        const to = Math.max(from, Math.min(end ?? ranges.length, ranges.length));
        return { entries: parseLines(buffer, ranges, from, to, file), start: from, length: ranges.length };
      }
      const entries = parseLines(buffer, ranges, base, ranges.length, file).map(deepFreeze);
      return this.keep(file, { ...fileIdentity(stats), fingerprint: fingerprintOf(buffer, Buffer.alloc(0)), base, entries, windowStart, bytes: buffer.length - offset });
    } catch {
      // A corrupt line: the caller's own read reports it if it lies in the window.
      return undefined;
    }
  }

  /** Stores `cached` as most recently used and evicts beyond the limits (possibly `cached` itself). */
  private keep(file: string, cached: Cached): Cached {
    if (cached.bytes > this.limits.maxBytes || this.limits.maxFiles === 0) return cached;
    this.files.set(file, cached);
    this.bytes += cached.bytes;
    for (const [name, oldest] of this.files) {
      if (this.files.size <= this.limits.maxFiles && this.bytes <= this.limits.maxBytes) break;
      this.files.delete(name);
      this.bytes -= oldest.bytes;
    }
    return cached;
  }

  private touch(file: string, cached: Cached): void {
    this.files.delete(file);
    this.files.set(file, cached);
  }
}

function fileIdentity(stats: FileStats): FileStats {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, birthtimeMs: stats.birthtimeMs };
}

/** The last {@link FINGERPRINT_BYTES} bytes of `previous` followed by `added`. */
function fingerprintOf(added: Buffer, previous: Buffer): Buffer {
  if (added.length >= FINGERPRINT_BYTES) return Buffer.from(added.subarray(added.length - FINGERPRINT_BYTES));
  const joined = Buffer.concat([previous, added]);
  return Buffer.from(joined.subarray(Math.max(0, joined.length - FINGERPRINT_BYTES)));
}

function isBoundary(entry: SessionStoreEntry): boolean {
  return entry.type === 'system' && entry.subtype === 'compact_boundary';
}

/** Bytes `[from, to)` of the descriptor; shorter when the file shrank meanwhile. */
async function readRange(fd: number, from: number, to: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.max(0, to - from));
  let offset = 0;
  while (offset < buffer.length) {
    const bytesRead =
      buffer.length <= SYNC_READ_LIMIT
        ? readSync(fd, buffer, offset, buffer.length - offset, from + offset)
        : (await readAsync(fd, buffer, offset, buffer.length - offset, from + offset)).bytesRead;
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return buffer.subarray(0, offset);
}

