// Transcript entries shared by the store benchmarks, so every store is timed on the same bytes.
import { randomUUID } from 'node:crypto';
import type { SessionStoreEntry } from '@sdk/core/store';

/** A ~1 KB transcript entry shaped like a Claude Code chain entry. */
export function benchEntry(index: number, parentUuid: string | null): SessionStoreEntry {
  const role = index % 2 === 0 ? 'user' : 'assistant';
  return {
    parentUuid,
    isSidechain: false,
    type: role,
    uuid: randomUUID(),
    timestamp: new Date(1_790_000_000_000 + index * 1000).toISOString(),
    sessionId: '00000000-0000-4000-8000-000000000000',
    cwd: '/home/bench/project',
    version: '2.1.332',
    gitBranch: 'main',
    message: { role, content: [{ type: 'text', text: `entry ${index} `.padEnd(700, 'lorem ipsum ') }] },
  };
}

/** A chain of `count` entries, each parented to the previous one. */
export function benchEntries(count: number): SessionStoreEntry[] {
  const list: SessionStoreEntry[] = [];
  for (let index = 0; index < count; index++) list.push(benchEntry(index, list.at(-1)?.uuid ?? null));
  return list;
}
