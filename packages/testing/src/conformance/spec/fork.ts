import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { foldSessionSummary, InvalidSessionKeyError, SessionConflictError, SessionNotFoundError } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, markerEntry, messageEntries, messageEntry, newSessionKey, rejectionOf } from '../fixtures.js';

/** `fork`: a server-side copy of a session's main transcript. */
export function registerFork(context: SpecContext): void {
  context.test('fork copies the main transcript verbatim and leaves the source unchanged', ['fork'], async (store) => {
    const source = newSessionKey();
    const entries = [...messageEntries(3), markerEntry('title')];
    await store.append(source, entries);
    const target = { projectKey: source.projectKey, sessionId: randomUUID() };
    await store.fork!(source, target.sessionId);
    expect(await store.load(target)).toEqual(jsonRoundTrip(entries));
    expect(await store.load(source)).toEqual(jsonRoundTrip(entries));
  });

  context.test('fork with upToUuid copies up to and including that entry', ['fork'], async (store) => {
    const source = newSessionKey();
    const entries = messageEntries(5);
    await store.append(source, entries);
    const target = { projectKey: source.projectKey, sessionId: randomUUID() };
    await store.fork!(source, target.sessionId, { upToUuid: entries[2]!.uuid! });
    expect(await store.load(target)).toEqual(jsonRoundTrip(entries.slice(0, 3)));
    expect(await store.load(source)).toEqual(jsonRoundTrip(entries));
  });

  context.test('appends after a fork are independent', ['fork'], async (store) => {
    const source = newSessionKey();
    const entries = messageEntries(2);
    await store.append(source, entries);
    const target = { projectKey: source.projectKey, sessionId: randomUUID() };
    await store.fork!(source, target.sessionId);
    const onSource = messageEntries(1, 10);
    const onTarget = messageEntries(2, 20);
    await store.append(source, onSource);
    await store.append(target, onTarget);
    expect(await store.load(source)).toEqual(jsonRoundTrip([...entries, ...onSource]));
    expect(await store.load(target)).toEqual(jsonRoundTrip([...entries, ...onTarget]));
  });

  context.test('fork of a missing session rejects with SessionNotFoundError', ['fork'], async (store) => {
    const source = newSessionKey();
    const targetId = randomUUID();
    expect(await rejectionOf(() => store.fork!(source, targetId))).toBeInstanceOf(SessionNotFoundError);
    expect(await store.load({ projectKey: source.projectKey, sessionId: targetId })).toBeNull();
  });

  context.test('fork up to a missing uuid rejects with SessionNotFoundError', ['fork'], async (store) => {
    const source = newSessionKey();
    await store.append(source, messageEntries(2));
    const targetId = randomUUID();
    expect(await rejectionOf(() => store.fork!(source, targetId, { upToUuid: randomUUID() }))).toBeInstanceOf(SessionNotFoundError);
    expect(await store.load({ projectKey: source.projectKey, sessionId: targetId })).toBeNull();
  });

  context.test('fork onto an existing session rejects with SessionConflictError and changes nothing', ['fork'], async (store) => {
    const source = newSessionKey();
    const target = newSessionKey(source.projectKey);
    const targetEntries = messageEntries(1, 50);
    await store.append(source, messageEntries(3));
    await store.append(target, targetEntries);
    expect(await rejectionOf(() => store.fork!(source, target.sessionId))).toBeInstanceOf(SessionConflictError);
    expect(await store.load(target)).toEqual(jsonRoundTrip(targetEntries));
  });

  context.test('fork rejects an invalid target session id', ['fork'], async (store) => {
    const source = newSessionKey();
    await store.append(source, messageEntries(1));
    expect(await rejectionOf(() => store.fork!(source, '../escape'))).toBeInstanceOf(InvalidSessionKeyError);
  });

  context.test('a fork is listed, with a summary of its own entries', ['fork', 'listSessions', 'listSessionSummaries'], async (store) => {
    const source = newSessionKey();
    const entries = [messageEntry('fork me'), markerEntry('Forked title')];
    await store.append(source, entries);
    const target = { projectKey: source.projectKey, sessionId: randomUUID() };
    await store.fork!(source, target.sessionId);
    const listed = (await store.listSessions!(source.projectKey)).map((session) => session.sessionId).sort();
    expect(listed).toEqual([source.sessionId, target.sessionId].sort());
    const summary = (await store.listSessionSummaries!(source.projectKey)).find((entry) => entry.sessionId === target.sessionId);
    expect(summary?.data).toEqual(foldSessionSummary(undefined, target, entries).data);
  });

  context.test('a fork remembers the uuids it copied', ['fork', 'idempotentAppend'], async (store) => {
    const source = newSessionKey();
    const entries = messageEntries(3);
    await store.append(source, entries);
    const target = { projectKey: source.projectKey, sessionId: randomUUID() };
    await store.fork!(source, target.sessionId);
    await store.append(target, entries);
    expect(await store.load(target)).toEqual(jsonRoundTrip(entries));
  });
}
