// Child process of emulator-process.ts: the Messages API emulator in a process of its own, as the
// real API is on another machine, so its request parsing and garbage collection are not charged to
// the process under test. Prints its URL on the first stdout line; stops when stdin closes.
import { startMessagesEmulator } from '@sdk/testing/emulator';

const emulator = await startMessagesEmulator();
// Benchmarks send many large requests: keep the request log from growing this process.
const clearing = setInterval(() => emulator.reset(), 1000);
process.stdout.write(`${emulator.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(clearing);
  void emulator.close().then(() => process.exit(0));
});
