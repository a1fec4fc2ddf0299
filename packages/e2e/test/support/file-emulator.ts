import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeEach } from 'vitest';

/**
 * The emulator of one test file: started when the file is collected, its request log and reply
 * queue cleared before each test, closed after the file's last test. Call it at the top level:
 * `const emulator = await emulatorForThisFile();`.
 */
export async function emulatorForThisFile(): Promise<MessagesEmulator> {
  const emulator = await startMessagesEmulator();
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());
  return emulator;
}
