import type { Stats } from 'node:fs';
import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, read, readSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { SYNC_READ_LIMIT } from './bookkeeping.js';

const datasyncAsync = promisify(fdatasync);
const readAsync = promisify(read);

/**
 * A transcript descriptor with the `FileHandle` methods the append path uses, done with
 * synchronous system calls where they are quick: `open`, `fstat`, an append `write` of a batch
 * (page cache only), `ftruncate` and `close` take microseconds, while each thread-pool round trip of
 * `node:fs/promises` costs tens to hundreds of microseconds on a busy machine, and an append makes
 * several. What can take long stays asynchronous: `fdatasync`, and reads larger than
 * {@link SYNC_READ_LIMIT} (a long transcript seen for the first time).
 *
 * The methods return promises (except {@link SyncHandle.writeAll}) so that the append path reads
 * the same either way.
 */
export class SyncHandle {
  private closed = false;
  /** Asynchronous calls under way: the descriptor is closed only after them, as `FileHandle` does. */
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(readonly fd: number) {}

  /** Opens `path` with `flags` (`O_*` constants) and `mode`; throws the system error as `open` does. */
  static open(path: string, flags: number, mode?: number): SyncHandle {
    return new SyncHandle(openSync(path, flags, mode));
  }

  stat(): Promise<Stats> {
    return settle(() => fstatSync(this.fd));
  }

  /**
   * Writes all of `buffer` at the file's offset (the end, with `O_APPEND`), continuing a short
   * write; throws the system error. Synchronous, unlike the other methods: an append's write is the
   * one call every append makes, under the session lock.
   */
  writeAll(buffer: Buffer): void {
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
  }

  /** Writes at the file's offset (the end, with `O_APPEND`). */
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }> {
    return settle(() => ({ bytesWritten: writeSync(this.fd, buffer, offset, length) }));
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (length > SYNC_READ_LIMIT) return this.track(readAsync(this.fd, buffer, offset, length, position));
    return settle(() => ({ bytesRead: readSync(this.fd, buffer, offset, length, position) }));
  }

  truncate(length: number): Promise<void> {
    return settle(() => ftruncateSync(this.fd, length));
  }

  datasync(): Promise<void> {
    return this.track(datasyncAsync(this.fd));
  }

  /**
   * Closes once, after the asynchronous calls under way (a descriptor number closed under a queued
   * `fdatasync` could be reused by another file); later calls do nothing.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.pending.size === 0) return settle(() => closeSync(this.fd));
    return Promise.allSettled([...this.pending]).then(() => closeSync(this.fd));
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.pending.add(operation);
    const done = (): void => {
      this.pending.delete(operation);
    };
    operation.then(done, done);
    return operation;
  }
}

function settle<T>(operation: () => T): Promise<T> {
  try {
    return Promise.resolve(operation());
  } catch (error) {
    // System errors are Errors; anything else is wrapped so callers always see one.
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
