// Takes a session lock with the BUILT package and holds it until killed.
// argv: <dist session-lock url> <lock path> <staleMs>
const [lockUrl, path, staleMs] = process.argv.slice(2);
const { acquireLock } = await import(lockUrl);
await acquireLock(path, { staleMs: Number(staleMs), timeoutMs: 10_000, lingerMs: 0, maxHoldMs: 0 }, async () => undefined);
process.stdout.write('locked\n');
setInterval(() => undefined, 1000);
