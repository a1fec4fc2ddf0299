import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOOKKEEPING_FOLDER, StoreLayout } from './store-layout.js';

const ROOT = '/tmp/store-layout-test/.claude';

/** The paths as the layout joined them before it remembered them (the official CLI's layout). */
function joined(projectKey: string, sessionId: string) {
  const project = join(ROOT, 'projects', projectKey);
  const bookkeeping = join(project, BOOKKEEPING_FOLDER);
  return {
    project,
    bookkeeping,
    transcript: join(project, `${sessionId}.jsonl`),
    directory: project,
    session: join(project, sessionId),
    meta: join(bookkeeping, `${sessionId}.meta.json`),
    lock: join(bookkeeping, `${sessionId}.lock`),
    lease: join(bookkeeping, `${sessionId}.lease.json`),
    expiry: join(bookkeeping, `${sessionId}.expires`),
  };
}

function paths(layout: StoreLayout, projectKey: string, sessionId: string) {
  const ref = { projectKey, sessionId };
  return {
    project: layout.projectDirectory(projectKey),
    bookkeeping: layout.bookkeepingDirectory(projectKey),
    transcript: layout.transcriptFile(ref),
    directory: layout.transcriptDirectory(ref),
    session: layout.sessionDirectory(ref),
    meta: layout.metaFile(ref),
    lock: layout.lockFile(ref),
    lease: layout.leaseFile(ref),
    expiry: layout.expiryFile(ref),
  };
}

describe('StoreLayout paths', () => {
  it('are the joined paths, the first time and when remembered, for more sessions than it remembers', () => {
    const layout = new StoreLayout(ROOT);
    const keys = Array.from({ length: 700 }, (_, index) => [`-project-${index % 300}`, `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`] as const);
    for (let round = 0; round < 2; round++) {
      for (const [projectKey, sessionId] of keys) expect(paths(layout, projectKey, sessionId)).toEqual(joined(projectKey, sessionId));
    }
  });

  it('never mixes up sessions whose key parts concatenate alike', () => {
    const layout = new StoreLayout(ROOT);
    const first = paths(layout, '-a', 'bc');
    const second = paths(layout, '-ab', 'c');
    expect(first).toEqual(joined('-a', 'bc'));
    expect(second).toEqual(joined('-ab', 'c'));
    expect(paths(layout, '-a', 'bc')).toEqual(first);
  });

  it('places sub-transcripts under the session folder', () => {
    const layout = new StoreLayout(ROOT);
    const key = { projectKey: '-p', sessionId: 's1', subpath: 'subagents/agent-x' };
    expect(layout.transcriptFile(key)).toBe(join(ROOT, 'projects', '-p', 's1', 'subagents', 'agent-x.jsonl'));
    expect(layout.transcriptDirectory(key)).toBe(join(ROOT, 'projects', '-p', 's1', 'subagents'));
    // The main transcript of the same session is unaffected by the subpath's lookup.
    expect(layout.transcriptFile({ projectKey: '-p', sessionId: 's1' })).toBe(join(ROOT, 'projects', '-p', 's1.jsonl'));
  });
});
