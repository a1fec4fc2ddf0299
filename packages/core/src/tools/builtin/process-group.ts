import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Signals a whole process group (the child was spawned `detached`, so its pid is the group id):
 * grandchildren started in the background or in subshells get the signal too.
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Whether a process of the group still runs. On Linux, zombies do not count: orphaned members are
 * reaped by PID 1, which in containers may take a second or more, and they hold no resources.
 */
export async function processGroupRunning(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // No procfs (macOS): the group exists, so assume it runs.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/**
 * Ends a process group: SIGTERM, then SIGKILL for whatever still runs after `graceMs`. Resolves once
 * the group no longer runs or SIGKILL was sent.
 */
export async function terminateProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined) return;
  const pgid = child.pid;
  signalProcessGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while ((await processGroupRunning(pgid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (await processGroupRunning(pgid)) signalProcessGroup(pgid, 'SIGKILL');
}
