import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { projectPinnedStore } from '../project-pinned-store.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';
import { sessionFunctions } from '../session-functions.js';

/** `fork`: a new session with a copy of a session's conversation (the official `forkSession`). */
export const forkCommand: Command = {
  name: 'fork',
  summary: 'copy a session (or its start) into a new session with fresh ids; prints the new id',
  usage: ['fork <sessionId> [--title <title>] [--up-to <messageUuid>] [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: { ...STORE_OPTIONS, title: { type: 'string' }, 'up-to': { type: 'string' } },
  async run(context) {
    const sessionId = context.positionals[0];
    assertSessionIdArgument(sessionId, 'fork');
    const title = stringOption(context.values, 'title');
    const upToMessageId = stringOption(context.values, 'up-to');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    const forked = await withStore(storeUrlOf(context), async (opened) => {
      const located = await locateSession(opened, sessionId, selection);
      const sessionStore = projectPinnedStore(opened.store, located.projectKey);
      const result = await sessionFunctions.forkSession(sessionId, {
        sessionStore,
        ...(title !== undefined && { title }),
        ...(upToMessageId !== undefined && { upToMessageId }),
      });
      return { projectKey: located.projectKey, sessionId: result.sessionId, forkedFrom: sessionId };
    });
    if (flag(context.values, 'json')) printJson(context.io, forked);
    else context.io.stdout.write(`${forked.sessionId}\n`);
    return ExitCode.ok;
  },
};
