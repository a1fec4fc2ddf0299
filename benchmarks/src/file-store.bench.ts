// @sdk/store-file: durable appends, loads and listings, each next to the raw fs floor measured in the same run.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readdir, readFile, lstat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSessionStore } from '@sdk/store-file';
import { benchEntries, benchEntry } from './transcript-fixture.js';
import { benchRow, formatTable, measure } from './stats.js';
import type { BenchRow } from './stats.js';

const PROJECT = '-bench-project';

/** The floor of a durable append: open with O_APPEND, one write, fdatasync, close. */
async function rawAppend(path: string, bytes: Buffer, durable: boolean): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    await handle.write(bytes);
    if (durable) await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The floor of a load: read the file and JSON.parse every line. */
async function rawLoad(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => JSON.parse(line) as unknown);
}

async function appendRows(root: string, quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const iterations = quick ? 30 : 300;
  const configurations = [
    { durability: 'fsync', lockLingerMs: 20 },
    { durability: 'fsync', lockLingerMs: 0 },
    { durability: 'none', lockLingerMs: 20 },
  ] as const;
  for (const { durability, lockLingerMs } of configurations) {
    const store = new FileSessionStore({ root, durability, lockLingerMs });
    const key = { projectKey: PROJECT, sessionId: randomUUID() };
    const rawPath = join(root, `raw-${durability}-${lockLingerMs}.jsonl`);
    const pool = benchEntries(iterations + 10);
    const durable = durability === 'fsync';
    // Interleaved rounds, so that disk and CPU noise hits both sides alike.
    const ours: number[] = [];
    const floor: number[] = [];
    let next = 0;
    await measure(
      iterations,
      async () => {
        const item = pool[next++ % pool.length]!;
        const bytes = Buffer.from(`${JSON.stringify(item)}\n`);
        let started = process.hrtime.bigint();
        await store.append(key, [item]);
        ours.push(Number(process.hrtime.bigint() - started) / 1e6);
        started = process.hrtime.bigint();
        await rawAppend(rawPath, bytes, durable);
        floor.push(Number(process.hrtime.bigint() - started) / 1e6);
      },
      0,
    );
    await store.flush();
    rows.push(benchRow(`append 1 entry (~1 KB), durability '${durability}', lockLingerMs ${lockLingerMs}`, ours, floor, durable ? 'floor: open + write + fdatasync + close' : 'floor: open + write + close'));
  }
  return rows;
}

async function loadRows(root: string, quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const store = new FileSessionStore({ root, durability: 'none' });
  for (const size of quick ? [10, 100, 1000] : [10, 100, 1000, 10_000]) {
    const key = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(key, benchEntries(size));
    const path = join(root, 'projects', PROJECT, `${key.sessionId}.jsonl`);
    const iterations = Math.max(quick ? 5 : 20, Math.min(quick ? 50 : 300, Math.floor(100_000 / size)));
    const ours: number[] = [];
    const floor: number[] = [];
    await measure(iterations, async (index) => {
      let started = process.hrtime.bigint();
      const loaded = await store.load(key);
      if (index >= 0) ours.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      const raw = await rawLoad(path);
      if (index >= 0) floor.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (loaded?.length !== raw.length) throw new Error('load returned a different number of entries');
    });
    rows.push(benchRow(`load ${size.toLocaleString('en-US')} entries`, ours, floor, 'floor: readFile + JSON.parse per line'));
  }
  return rows;
}

async function listingRows(root: string, quick: boolean): Promise<BenchRow[]> {
  const sessions = quick ? 200 : 1000;
  const projectKey = '-bench-listing';
  const store = new FileSessionStore({ root, durability: 'none' });
  const keys = Array.from({ length: sessions }, () => ({ projectKey, sessionId: randomUUID() }));
  for (let index = 0; index < keys.length; index += 50) {
    await Promise.all(keys.slice(index, index + 50).map((key, offset) => store.append(key, [benchEntry(index + offset, null), benchEntry(1, null)])));
  }
  const directory = join(root, 'projects', projectKey);
  const iterations = quick ? 5 : 30;
  // Interleaved, so that a burst of disk activity from elsewhere hits every column alike.
  const floor: number[] = [];
  const listed: number[] = [];
  const summaries: number[] = [];
  const time = async (samples: number[], operation: () => Promise<number>, expected: number, index: number) => {
    const started = process.hrtime.bigint();
    const count = await operation();
    if (index >= 0) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (count !== expected) throw new Error(`listed ${count} of ${expected} sessions`);
  };
  await measure(iterations, async (index) => {
    await time(
      floor,
      async () => {
        const names = (await readdir(directory)).filter((name) => name.endsWith('.jsonl'));
        return (await Promise.all(names.map((name) => lstat(join(directory, name))))).length;
      },
      sessions,
      index,
    );
    await time(listed, async () => (await store.listSessions(projectKey)).length, sessions, index);
    await time(summaries, async () => (await store.listSessionSummaries(projectKey)).length, sessions, index);
  }, 3);
  const count = sessions.toLocaleString('en-US');
  return [
    benchRow(`listSessions, ${count} sessions`, listed, floor, 'target < 50 ms; floor: readdir + lstat each'),
    benchRow(`listSessionSummaries, ${count} sessions`, summaries, floor, 'one small meta file per session, no transcript read'),
  ];
}

/** Runs the file store benchmark and returns its markdown table. */
export async function run({ quick }: { quick: boolean }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'bench-store-file-'));
  try {
    const rows = [...(await appendRows(root, quick)), ...(await loadRows(root, quick)), ...(await listingRows(root, quick))];
    return formatTable(`@sdk/store-file${quick ? ' (quick)' : ''}`, rows);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
