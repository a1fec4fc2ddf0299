// projectKeyForDirectory must give exactly the folder name the official SDK uses. The official
// package does not export its rule, so we observe it: importSessionToStore({dir}) finds the
// session file under projects/<its key(dir)>/ and appends to a store under that same key.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSessionToStore, listSessions } from '@anthropic-ai/claude-agent-sdk';
import { projectKeyForDirectory, type SessionKey, type SessionStoreEntry } from '@sdk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let configDirectory: string;
let workDirectory: string;
const previousConfigDirectory = process.env.CLAUDE_CONFIG_DIR;

beforeAll(() => {
  configDirectory = mkdtempSync(join(tmpdir(), 'project-key-config-'));
  workDirectory = mkdtempSync(join(tmpdir(), 'project-key-work-'));
  process.env.CLAUDE_CONFIG_DIR = configDirectory;
});

afterAll(() => {
  if (previousConfigDirectory === undefined) delete process.env.CLAUDE_CONFIG_DIR;
  else process.env.CLAUDE_CONFIG_DIR = previousConfigDirectory;
  rmSync(configDirectory, { recursive: true, force: true });
  rmSync(workDirectory, { recursive: true, force: true });
});

/** A one-exchange transcript at the path our key says, as Claude Code would write it. */
function writeSession(directory: string): string {
  const sessionId = randomUUID();
  const folder = join(configDirectory, 'projects', projectKeyForDirectory(directory));
  mkdirSync(folder, { recursive: true });
  const user = randomUUID();
  const lines = [
    { type: 'user', uuid: user, parentUuid: null, sessionId, timestamp: new Date().toISOString(), cwd: directory, isSidechain: false, message: { role: 'user', content: 'hello' } },
    { type: 'assistant', uuid: randomUUID(), parentUuid: user, sessionId, timestamp: new Date().toISOString(), cwd: directory, isSidechain: false, message: { role: 'assistant', content: [{ type: 'text', text: 'hi' }] } },
  ];
  writeFileSync(join(folder, `${sessionId}.jsonl`), lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return sessionId;
}

describe('projectKeyForDirectory matches the official SDK', () => {
  const cases: Array<[string, () => string]> = [
    ['plain path', () => join(workDirectory, 'plain')],
    ['dots, spaces and underscores', () => join(workDirectory, 'my.proj x_y')],
    ['non-ASCII (NFC é, CJK, emoji)', () => join(workDirectory, 'caf\u00e9-\u4e2d\u6587-\u{1F600}')],
    ['exactly 200 sanitized units', () => join(workDirectory, 'a'.repeat(200 - workDirectory.length - 1))],
    ['201 sanitized units (hash suffix)', () => join(workDirectory, 'b'.repeat(201 - workDirectory.length - 1))],
    ['260 units (hash suffix)', () => join(workDirectory, 'c'.repeat(260 - workDirectory.length - 1))],
    ['a symlink (filed under its target)', () => {
      const target = join(workDirectory, 'real-target');
      mkdirSync(target, { recursive: true });
      const link = join(workDirectory, 'link-to-target');
      symlinkSync(target, link);
      return link;
    }],
  ];

  for (const [name, makeDirectory] of cases) {
    it(name, async () => {
      const directory = makeDirectory();
      mkdirSync(directory, { recursive: true });
      const sessionId = writeSession(directory);

      const seen: SessionKey[] = [];
      const recorder = {
        async append(key: SessionKey, _entries: SessionStoreEntry[]) {
          seen.push(key);
        },
        async load() {
          return null;
        },
      };
      await importSessionToStore(sessionId, recorder, { dir: directory });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]!.projectKey).toBe(projectKeyForDirectory(directory));

      const listed = await listSessions({ dir: directory });
      expect(listed.map((session) => session.sessionId)).toContain(sessionId);
    });
  }
});
