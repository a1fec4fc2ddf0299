import type {
  InMemorySessionStore as OfficialInMemorySessionStore,
  SessionKey as OfficialSessionKey,
  SessionStore as OfficialSessionStore,
  SessionStoreEntry as OfficialSessionStoreEntry,
  SessionSummaryEntry as OfficialSessionSummaryEntry,
} from '@anthropic-ai/claude-agent-sdk';
import type { ExtendedSessionStore, SessionKey, SessionStore, SessionStoreEntry, SessionSummaryEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { describe, expectTypeOf, it } from 'vitest';

/** The public members of a class: `keyof` leaves out private ones, which make classes nominal. */
type PublicMembers<T> = { [K in keyof T]: T[K] };

// Checked by tsc (the e2e typecheck script): the store protocol is the official one, both ways,
// so a store written for either SDK plugs into the other.
describe('store protocol types match the official SDK', () => {
  it('our InMemorySessionStore is an official SessionStore', () => {
    expectTypeOf<InMemorySessionStore>().toExtend<OfficialSessionStore>();
    expectTypeOf<InMemorySessionStore>().toExtend<ExtendedSessionStore>();
    const official: OfficialSessionStore = new InMemorySessionStore();
    expectTypeOf(official.append).toBeFunction();
  });

  it('our InMemorySessionStore has every public member of the official class', () => {
    expectTypeOf<InMemorySessionStore>().toExtend<PublicMembers<OfficialInMemorySessionStore>>();
  });

  it('SessionStore is mutually assignable with the official one', () => {
    expectTypeOf<SessionStore>().toExtend<OfficialSessionStore>();
    expectTypeOf<OfficialSessionStore>().toExtend<SessionStore>();
  });

  it('an official store is an ExtendedSessionStore with no extensions', () => {
    expectTypeOf<OfficialInMemorySessionStore>().toExtend<ExtendedSessionStore>();
  });

  it('SessionKey, SessionStoreEntry and SessionSummaryEntry are the official types', () => {
    expectTypeOf<SessionKey>().toEqualTypeOf<OfficialSessionKey>();
    expectTypeOf<SessionStoreEntry>().toEqualTypeOf<OfficialSessionStoreEntry>();
    expectTypeOf<SessionSummaryEntry>().toEqualTypeOf<OfficialSessionSummaryEntry>();
  });
});
