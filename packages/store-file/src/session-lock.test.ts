import { spawnSync } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '@sdk/core/store';
import { temporaryRoot } from '../test/helpers.js';
import { acquireLock } from './session-lock.js';

const noPreparation = async () => undefined;

function timing(staleMs: number, timeoutMs: number, lingerMs = 0) {
  return { staleMs, timeoutMs, lingerMs, maxHoldMs: 200 };
}

async function lockPath(): Promise<string> {
  return join(await temporaryRoot(), 'session.lock');
}

async function plantLock(path: string, record: object, ageMs: number): Promise<void> {
  await writeFile(path, JSON.stringify({ nonce: 'planted', acquiredAt: 0, ...record }));
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
}

describe('session lock', () => {
  it('excludes a second holder until released', async () => {
    const path = await lockPath();
    const first = await acquireLock(path, timing(10_000, 1000), noPreparation);
    const order: string[] = [];
    const second = acquireLock(path, timing(10_000, 5000), noPreparation).then((lock) => {
      order.push('second');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push('first released');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first released', 'second']);
  });

  it('breaks at once a lock whose holder is a dead process on this host', async () => {
    const path = await lockPath();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await plantLock(path, { pid: dead, hostname: hostname() }, 0);
    const started = Date.now();
    const lock = await acquireLock(path, timing(60_000, 5000), noPreparation);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('waits for a live holder, then times out with StoreUnavailableError naming it', async () => {
    const path = await lockPath();
    await plantLock(path, { pid: 1234, hostname: 'another-host' }, 0);
    const error = await acquireLock(path, timing(60_000, 200), noPreparation).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('another-host');
  });

  it('breaks a lock whose holder stopped refreshing it for longer than staleMs', async () => {
    const path = await lockPath();
    await plantLock(path, { pid: process.pid, hostname: hostname() }, 2000);
    const lock = await acquireLock(path, timing(1000, 5000), noPreparation);
    await lock.release();
    await plantLock(path, { pid: 1234, hostname: 'another-host' }, 0);
    const waited = Date.now();
    const later = await acquireLock(path, timing(300, 5000), noPreparation);
    expect(Date.now() - waited).toBeGreaterThanOrEqual(250);
    await later.release();
  });

  it('keeps a held lock fresh, so a slow holder is not mistaken for a dead one', async () => {
    const path = await lockPath();
    const held = await acquireLock(path, timing(150, 1000), noPreparation);
    const { stat } = await import('node:fs/promises');
    const before = (await stat(path)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await stat(path)).mtimeMs).toBeGreaterThan(before + 100);
    await held.release();
  });

  it('times out waiting behind a holder in the same process', async () => {
    const path = await lockPath();
    const held = await acquireLock(path, timing(10_000, 1000), noPreparation);
    const error = await acquireLock(path, timing(10_000, 100), noPreparation).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    await held.release();
    await (await acquireLock(path, timing(10_000, 1000), noPreparation)).release();
  });

  it('does not remove a lock that another holder took over after breaking it', async () => {
    const path = await lockPath();
    const stale = await acquireLock(path, timing(10_000, 1000), noPreparation);
    const { unlink } = await import('node:fs/promises');
    await unlink(path);
    await plantLock(path, { pid: 4321, hostname: 'successor-host' }, 0);
    await stale.release();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ hostname: 'successor-host' });
  });

  it('keeps a released lock for the next local caller within lingerMs, then removes it', async () => {
    const path = await lockPath();
    const { stat, access } = await import('node:fs/promises');
    const first = await acquireLock(path, timing(10_000, 1000, 50), noPreparation);
    const inode = (await stat(path)).ino;
    await first.release();
    await access(path);
    const second = await acquireLock(path, timing(10_000, 1000, 50), noPreparation);
    expect((await stat(path)).ino).toBe(inode);
    await second.release();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(access(path)).rejects.toThrow(/ENOENT/);
    const third = await acquireLock(path, timing(10_000, 1000, 50), noPreparation);
    await third.release({ linger: false });
    await expect(access(path)).rejects.toThrow(/ENOENT/);
  });
});
