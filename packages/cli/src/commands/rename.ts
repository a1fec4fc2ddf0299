import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { UsageError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { projectPinnedStore } from '../project-pinned-store.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';
import { sessionFunctions } from '../session-functions.js';

/** `rename`: sets a session's title (the official `renameSession`: a `custom-title` entry). */
export const renameCommand: Command = {
  name: 'rename',
  summary: "set a session's title",
  usage: ['rename <sessionId> <title> [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: { ...STORE_OPTIONS },
  async run(context) {
    const [sessionId, title, extra] = context.positionals;
    assertSessionIdArgument(sessionId, 'rename');
    if (title === undefined || !title.trim()) throw new UsageError('rename: missing <title> (it must not be empty)', 'rename');
    if (extra !== undefined) throw new UsageError('rename: too many arguments (quote a title with spaces)', 'rename');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    const projectKey = await withStore(storeUrlOf(context), async (opened) => {
      const located = await locateSession(opened, sessionId, selection);
      await sessionFunctions.renameSession(sessionId, title, { sessionStore: projectPinnedStore(opened.store, located.projectKey) });
      return located.projectKey;
    });
    if (flag(context.values, 'json')) printJson(context.io, { projectKey, sessionId, title: title.trim() });
    else context.io.stderr.write(`renamed ${sessionId}\n`);
    return ExitCode.ok;
  },
};
