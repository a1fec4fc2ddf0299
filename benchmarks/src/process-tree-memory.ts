// Peak resident memory of a process and all its descendants (the official SDK runs its CLI as a
// child, which runs its own children), sampled from /proc: Linux only, which is where the numbers in
// benchmarks/results come from.
import { readdir, readFile } from 'node:fs/promises';

async function childrenOf(pid: number): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((list) => list.split(' ').filter((word) => word !== '').map(Number));
}

/** VmRSS in bytes; 0 once the process is gone. */
async function residentBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** The summed RSS of `root` and every descendant alive right now, and how many processes that was. */
export async function treeResidentBytes(root: number): Promise<{ bytes: number; processes: number }> {
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(await childrenOf(pid)));
  }
  const sizes = await Promise.all([...seen].map(residentBytes));
  return { bytes: sizes.reduce((sum, size) => sum + size, 0), processes: sizes.filter((size) => size > 0).length };
}

/** Samples the tree of `root` every `intervalMs` until `stop()`; resolves to the peaks seen. */
export function watchPeakMemory(root: number, intervalMs = 20): { stop: () => Promise<{ peakBytes: number; peakProcesses: number }> } {
  let peakBytes = 0;
  let peakProcesses = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { bytes, processes } = await treeResidentBytes(root);
      peakBytes = Math.max(peakBytes, bytes);
      peakProcesses = Math.max(peakProcesses, processes);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { peakBytes, peakProcesses };
    },
  };
}
