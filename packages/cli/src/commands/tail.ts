import { setTimeout as sleep } from 'node:timers/promises';
import { SessionNotFoundError, supportsWindowedLoad } from '@sdk/core';
import type { ExtendedSessionStore, SessionKey, SessionStoreEntry } from '@sdk/core';
import { flag, positiveIntegerOption, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command, CommandContext } from '../command.js';
import { entryText } from '../conversation-text.js';
import { ExitCode } from '../exit-codes.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';

const DEFAULT_LINES = 10;
const DEFAULT_INTERVAL_MS = 500;

/** Entries of `key` from index `start` on: a windowed load where the store has one. */
async function entriesFrom(store: ExtendedSessionStore, key: SessionKey, start: number): Promise<SessionStoreEntry[] | null> {
  if (supportsWindowedLoad(store)) return (await store.loadWindow(key, { start }))?.entries ?? null;
  return (await store.load(key))?.slice(start) ?? null;
}

function print(context: CommandContext, entries: readonly SessionStoreEntry[]): void {
  const json = flag(context.values, 'json');
  for (const entry of entries) context.io.stdout.write(json ? `${JSON.stringify(entry)}\n` : `${entryText(entry)}\n`);
}

/**
 * `tail`: the last entries of a session; with `-f`, then every entry appended, until SIGINT. The
 * store is polled (no store pushes changes), reading only the new part where it can.
 */
export const tailCommand: Command = {
  name: 'tail',
  summary: 'print the last entries of a session; with -f, keep printing new ones until interrupted',
  usage: ['tail <sessionId> [-f] [-n <count>] [--interval <ms>] [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: {
    ...STORE_OPTIONS,
    follow: { type: 'boolean', short: 'f' },
    lines: { type: 'string', short: 'n' },
    interval: { type: 'string' },
  },
  async run(context) {
    const sessionId = context.positionals[0];
    assertSessionIdArgument(sessionId, 'tail');
    const lines = positiveIntegerOption(context.values, 'lines', DEFAULT_LINES, 'tail');
    const intervalMs = positiveIntegerOption(context.values, 'interval', DEFAULT_INTERVAL_MS, 'tail');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    return withStore(storeUrlOf(context), async (opened) => {
      const located = await locateSession(opened, sessionId, selection);
      print(context, located.entries.slice(-lines));
      if (!flag(context.values, 'follow')) return ExitCode.ok;
      const key = { projectKey: located.projectKey, sessionId };
      let seen = located.entries.length;
      while (!context.signal.aborted) {
        try {
          await sleep(intervalMs, undefined, { signal: context.signal });
        } catch {
          break; // Interrupted while waiting: the normal way to stop following.
        }
        const fresh = await entriesFrom(opened.store, key, seen);
        if (fresh === null) throw new SessionNotFoundError(`session ${sessionId} was deleted`);
        print(context, fresh);
        seen += fresh.length;
      }
      return ExitCode.ok;
    });
  },
};
