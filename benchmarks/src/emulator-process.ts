// The Messages API emulator in a child process (see emulator-child.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A running emulator process: its base URL, and `close()` to stop it. */
export type EmulatorProcess = { url: string; close(): Promise<void> };

/** Starts the emulator in its own Node.js process and resolves once it listens. */
export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./emulator-child.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [url] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the emulator process exited with ${String(code)} before it listened`);
    }),
  ])) as [string];
  return {
    url,
    async close() {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}
