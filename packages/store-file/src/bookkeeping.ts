import { createHash, randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, read, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { errorCode, toStoreError } from './fs-errors.js';
import { syncDirectory } from './store-layout.js';

/**
 * Files up to this size are read with synchronous calls. Bookkeeping files and most transcripts are
 * small: a synchronous read of them takes microseconds, while each thread-pool round trip of the
 * asynchronous API costs tens to hundreds of microseconds on a busy machine (and a turn makes
 * dozens). Larger files are read asynchronously, so a long transcript never blocks the event loop.
 */
export const SYNC_READ_LIMIT = 256 * 1024;

const readAsync = promisify(read);

/**
 * The store's own files in `<project>/.sdk/`: small JSON documents replaced atomically.
 *
 * The meta file is a cache: everything in it is tagged with the transcript's inode and size it was
 * computed from and is recomputed when they no longer match (a crash lost it, the official CLI
 * appended). The lease file is the only state that cannot be rebuilt, so it is written durably.
 */

/** Length index of one transcript, valid while the file still has this inode and size. */
export type TranscriptIndex = { ino: number; bytes: number; length: number; lastUuid: string | null };

/** The folded summary of the main transcript, valid for its first `bytes` bytes. */
export type SummaryCache = { data: Record<string, unknown>; ino: number; bytes: number };

export type SessionMeta = {
  summary?: SummaryCache;
  /** By subpath; `''` is the main transcript. */
  transcripts: Record<string, TranscriptIndex>;
};

/** The fencing state of a session's lease; `token` only ever grows. */
export type LeaseRecord = { token: number; holder: string; expiresAt: number; released: boolean };

const OPEN_READ = constants.O_RDONLY | constants.O_NOFOLLOW;
const OPEN_CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Reads a whole file without following a final symbolic link; `undefined` when it does not exist. */
export async function readFileNoFollow(path: string): Promise<Buffer | undefined> {
  const fd = openForReading(path);
  if (fd === undefined) return undefined;
  try {
    const { size } = fstatSync(fd);
    if (size <= SYNC_READ_LIMIT) return readToEndSync(fd, size);
    return await readToEnd(fd, size);
  } catch (error) {
    throw toStoreError(error, 'read', path);
  } finally {
    closeSync(fd);
  }
}

/** {@link readFileNoFollow} for the store's own small files (meta, lease, expiry): no thread-pool hop at all. */
export function readSmallFileNoFollow(path: string): Buffer | undefined {
  const fd = openForReading(path);
  if (fd === undefined) return undefined;
  try {
    return readToEndSync(fd, fstatSync(fd).size);
  } catch (error) {
    throw toStoreError(error, 'read', path);
  } finally {
    closeSync(fd);
  }
}

function openForReading(path: string): number | undefined {
  try {
    return openSync(path, OPEN_READ);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw toStoreError(error, 'open', path);
  }
}

/** Reads from offset 0 until end of file; `size` (from fstat) is a hint, a file that grew is read on. */
function readToEndSync(fd: number, size: number): Buffer {
  let buffer: Buffer = Buffer.allocUnsafe(Math.max(size, 64));
  let length = 0;
  for (;;) {
    if (length === buffer.length) buffer = grow(buffer);
    const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}

async function readToEnd(fd: number, size: number): Promise<Buffer> {
  let buffer: Buffer = Buffer.allocUnsafe(Math.max(size, 64));
  let length = 0;
  for (;;) {
    if (length === buffer.length) buffer = grow(buffer);
    const { bytesRead } = await readAsync(fd, buffer, length, buffer.length - length, length);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}

function grow(buffer: Buffer): Buffer {
  const larger = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(larger);
  return larger;
}

/**
 * Replaces `path` with `content` atomically: a fresh temporary file next to it (created with
 * `O_EXCL`, so a planted symbolic link is never followed), then `rename`, which replaces a link
 * rather than writing through it. With `durable`, data and the directory entry are fsynced.
 */
export async function writeFileAtomically(path: string, content: string | Buffer, durable: boolean): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  if (!durable) {
    // Nothing to wait for without the syncs: four quick system calls, no thread-pool hops.
    try {
      const fd = openSync(temporary, OPEN_CREATE, 0o600);
      try {
        writeAllSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content, 0);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, path);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // The temporary file was never created, or is already gone.
      }
      throw toStoreError(error, 'write', path);
    }
    return;
  }
  try {
    const handle = await open(temporary, OPEN_CREATE, 0o600);
    try {
      await handle.writeFile(content);
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    if (durable) await syncDirectory(dirname(path));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw toStoreError(error, 'write', path);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(buffer: Buffer | undefined): unknown {
  if (buffer === undefined) return undefined;
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Reads the meta file; a missing, unreadable or half-overwritten one is an empty cache, never an
 * error. The file is `<json>\n<sha1 of json>`, so a read that raced an in-place rewrite is caught.
 */
export async function readMeta(path: string): Promise<SessionMeta> {
  return (await readMetaFile(path)).meta;
}

/** {@link readMeta}, also telling whether the file exists (deferred saves never create it). */
export async function readMetaFile(path: string): Promise<{ meta: SessionMeta; exists: boolean }> {
  const buffer = readSmallFileNoFollow(path);
  return { meta: parseMeta(buffer), exists: buffer !== undefined };
}

function parseMeta(buffer: Buffer | undefined): SessionMeta {
  const empty: SessionMeta = { transcripts: {} };
  if (buffer === undefined) return empty;
  const text = buffer.toString('utf8');
  const split = text.lastIndexOf('\n');
  if (split < 0 || digest(text.slice(0, split)) !== text.slice(split + 1)) return empty;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, split));
  } catch {
    return empty;
  }
  if (!isRecord(value)) return empty;
  const meta: SessionMeta = { transcripts: isRecord(value.transcripts) ? (value.transcripts as Record<string, TranscriptIndex>) : {} };
  const summary = value.summary;
  if (isRecord(summary) && isRecord(summary.data) && typeof summary.ino === 'number' && typeof summary.bytes === 'number') {
    meta.summary = { data: summary.data, ino: summary.ino, bytes: summary.bytes };
  }
  return meta;
}

/**
 * Rewrites the meta file in place (write at offset 0, then truncate). Creating and renaming a
 * temporary file would cost two journaled directory operations per append; the checksum makes
 * in-place rewrites safe for readers, and writers hold the session lock.
 */
export async function writeMeta(path: string, meta: SessionMeta, options: { create?: boolean } = {}): Promise<void> {
  const json = JSON.stringify(meta);
  const content = Buffer.from(`${json}\n${digest(json)}`, 'utf8');
  let fd: number | undefined;
  try {
    const flags = constants.O_RDWR | constants.O_NOFOLLOW | (options.create === false ? 0 : constants.O_CREAT);
    try {
      fd = openSync(path, flags, 0o600);
    } catch (error) {
      // Without `create`, a missing file means its session (or the whole root) was removed.
      if (options.create === false && errorCode(error) === 'ENOENT') return;
      throw error;
    }
    writeAllSync(fd, content, 0);
    ftruncateSync(fd, content.length);
  } catch (error) {
    throw toStoreError(error, 'write', path);
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Writes all of `content` at `position` (positioned writes: the file offset is not used). */
function writeAllSync(fd: number, content: Buffer, position: number): void {
  let offset = 0;
  while (offset < content.length) offset += writeSync(fd, content, offset, content.length - offset, position + offset);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // A close error after a completed write loses nothing.
  }
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * Lease files are rewritten in place: one positioned `write` of the record, padded with spaces (valid
 * JSON) to the file's current size so that it never needs a truncate. Lease files are read and
 * written only under the session lock, so no reader sees a partial write; a process killed
 * mid-call cannot tear one small `write` either. Replacing the file (temporary file and rename)
 * would cost two journaled directory operations per lease change, three changes per turn. Like
 * before, the lease is not fsynced: after a power loss none of its holders is alive.
 *
 * The holder of the session lock keeps the file open with the size it has: while the lock is held
 * no one else writes it, so the size is known without an `fstat` and the next record is
 * one positioned `write` on the same descriptor (no `open` and `close` per lease change).
 */
export type OpenLeaseFile = { readonly fd: number; size: number };

/** Opens (creating) a lease file for {@link writeLeaseTo}; throws the system error. */
export function openLeaseFile(path: string): OpenLeaseFile {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    return { fd, size: fstatSync(fd).size };
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
}

/** Rewrites the record in place, padded with spaces to the file's size; throws the system error. */
export function writeLeaseTo(file: OpenLeaseFile, record: LeaseRecord): void {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  writeAllSync(file.fd, json.length < file.size ? Buffer.concat([json, Buffer.alloc(file.size - json.length, 0x20)]) : json, 0);
  file.size = Math.max(file.size, json.length);
}

/** Closes a descriptor, ignoring errors (nothing is pending on it). */
export function closeLeaseFile(file: OpenLeaseFile): void {
  closeQuietly(file.fd);
}

/** The session's lease record; `undefined` when there is none (or it is unreadable). */
export function readLease(path: string): LeaseRecord | undefined {
  const value = parseJson(readSmallFileNoFollow(path));
  if (!isRecord(value) || typeof value.token !== 'number') return undefined;
  return {
    token: value.token,
    holder: typeof value.holder === 'string' ? value.holder : '',
    expiresAt: typeof value.expiresAt === 'number' ? value.expiresAt : 0,
    released: value.released === true,
  };
}

/** Reads the expiry marker: epoch ms, or `undefined` when the session does not expire. */
export async function readExpiry(path: string): Promise<number | undefined> {
  const value = parseJson(readSmallFileNoFollow(path));
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
