// A writer process for the multi-process test: load → appendIf → retry on conflict, using the BUILT package.
// argv: <dist index url> <root> <projectKey> <sessionIds comma-separated> <writer> <count>
import { randomUUID } from 'node:crypto';

const [distUrl, root, projectKey, sessionList, writer, countText] = process.argv.slice(2);
const { FileSessionStore } = await import(distUrl);
const store = new FileSessionStore({ root });
const sessionIds = sessionList.split(',');
let conflicts = 0;
for (let seq = 0; seq < Number(countText); seq++) {
  const key = { projectKey, sessionId: sessionIds[seq % sessionIds.length] };
  // Sizes vary up to ~24 KB so that a torn or interleaved write would show.
  const entry = { type: 'user', uuid: randomUUID(), writer, seq, message: { role: 'user', content: 'x'.repeat((seq * 997) % 24_000) } };
  for (;;) {
    const loaded = (await store.load(key)) ?? [];
    try {
      await store.appendIf(key, [entry], { expectedLength: loaded.length });
      break;
    } catch (error) {
      if (error?.name !== 'SessionConflictError') throw error;
      conflicts++;
    }
  }
}
process.stdout.write(JSON.stringify({ writer, conflicts }) + '\n');
