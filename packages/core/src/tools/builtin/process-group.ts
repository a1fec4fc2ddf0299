import type { ChildProcess } from 'node:child_process';

/**
 * Signals a whole process group (the child was spawned `detached`, so its pid is the group id):
 * grandchildren started in the background or in subshells get the signal too.
 */
export function signalProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Whether any process of the group still exists. */
export function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a process group: SIGTERM, then SIGKILL for whatever is left after `graceMs`. Resolves once
 * the group is gone or SIGKILL was sent.
 */
export async function terminateProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined) return;
  const pid = child.pid;
  signalProcessGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processGroupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (processGroupAlive(pid)) signalProcessGroup(child, 'SIGKILL');
}
