import { randomUUID } from 'node:crypto';
import * as official from '@anthropic-ai/claude-agent-sdk';
import { createSessionFunctions, projectKeyForDirectory } from '@sdk/core';
import { RedisSessionStore } from '@sdk/store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureSessions, fixtureUuid, knownStrings, normalizeFresh, subagentTranscript, type FixtureSession } from './support/session-transcripts.js';

// The session functions only use the store protocol: on Redis (127.0.0.1:6379, which keeps
// summaries server-side) ours must still return and write exactly what the official ones do.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const AGENT = 'a0123456789abcdef';
const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const ours = createSessionFunctions();

// A directory that need not exist: only its project key matters to a store.
const directory = `/srv/e2e-session-functions-${randomUUID()}`;
const projectKey = projectKeyForDirectory(directory);
const sessions: FixtureSession[] = fixtureSessions(directory);
const main = sessions[0]!;
let store: RedisSessionStore;

beforeAll(async () => {
  store = new RedisSessionStore({ url: REDIS_URL }, { prefix: `e2e-sessions-${randomUUID().slice(0, 8)}` });
  // One call first: concurrent first calls on a URL-configured store can race its connect.
  await store.listSessions(projectKey);
  for (const { sessionId, entries } of sessions) await store.append({ projectKey, sessionId }, entries);
  await store.append(
    { projectKey, sessionId: main.sessionId, subpath: `subagents/agent-${AGENT}` },
    subagentTranscript(main.sessionId, AGENT, directory, { toolUseId: 'toolu_agent' }),
  );
});
afterAll(async () => {
  for (const { sessionId } of await store.listSessions(projectKey)) await store.delete({ projectKey, sessionId });
  await store.close();
});

describe('session functions on RedisSessionStore', () => {
  const options = () => ({ dir: directory, sessionStore: store });

  it.each([{}, { limit: 3 }, { limit: 2, offset: 3 }])('listSessions %j', async (page) => {
    const expected = await official.listSessions({ ...page, ...options() });
    expect(plain(await ours.listSessions({ ...page, ...options() }))).toEqual(plain(expected));
    expect(expected.length).toBeGreaterThan(0);
  });

  it('getSessionInfo, getSessionMessages and subagents of every fixture', async () => {
    for (const { sessionId, entries, name } of sessions) {
      const expectedInfo = plain(await official.getSessionInfo(sessionId, options())) as Record<string, unknown> | undefined;
      const actualInfo = plain(await ours.getSessionInfo(sessionId, options())) as Record<string, unknown> | undefined;
      // A transcript that ends without a timestamp is "modified now": equal up to the clock.
      if (entries.at(-1)?.timestamp === undefined && expectedInfo && actualInfo) actualInfo.lastModified = expectedInfo.lastModified;
      expect(actualInfo, name).toEqual(expectedInfo);
      for (const messageOptions of [{}, { includeSystemMessages: true }, { limit: 2, offset: 1 }]) {
        const expected = await official.getSessionMessages(sessionId, { ...messageOptions, ...options() });
        expect(plain(await ours.getSessionMessages(sessionId, { ...messageOptions, ...options() })), name).toEqual(plain(expected));
      }
    }
    expect(await ours.listSubagents(main.sessionId, options())).toEqual([AGENT]);
    expect(plain(await ours.getSubagentMessages(main.sessionId, AGENT, options()))).toEqual(
      plain(await official.getSubagentMessages(main.sessionId, AGENT, options())),
    );
  });

  it('forkSession and renameSession write the same entries', async () => {
    const known = knownStrings(sessions);
    const expected = await official.forkSession(main.sessionId, { ...options(), upToMessageId: fixtureUuid(1, 8) });
    const actual = await ours.forkSession(main.sessionId, { ...options(), upToMessageId: fixtureUuid(1, 8) });
    await official.renameSession(expected.sessionId, 'Renamed', options());
    await ours.renameSession(actual.sessionId, 'Renamed', options());
    const expectedEntries = await store.load({ projectKey, sessionId: expected.sessionId });
    expect(expectedEntries!.length).toBeGreaterThan(2);
    expect(normalizeFresh(await store.load({ projectKey, sessionId: actual.sessionId }), known)).toEqual(normalizeFresh(expectedEntries, known));
    await ours.deleteSession(actual.sessionId, options());
    expect(await store.load({ projectKey, sessionId: actual.sessionId })).toBeNull();
  });
});
