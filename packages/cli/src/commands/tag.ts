import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { UsageError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { projectPinnedStore } from '../project-pinned-store.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';
import { sessionFunctions } from '../session-functions.js';

/** `tag`: sets or clears a session's tag (the official `tagSession`: a `tag` entry). */
export const tagCommand: Command = {
  name: 'tag',
  summary: "set a session's tag, or clear it with --clear",
  usage: ['tag <sessionId> <tag> [--store <url>] [--project <key> | --dir <path>] [--json]', 'tag <sessionId> --clear [...]'],
  options: { ...STORE_OPTIONS, clear: { type: 'boolean' } },
  async run(context) {
    const [sessionId, tag, extra] = context.positionals;
    assertSessionIdArgument(sessionId, 'tag');
    const clear = flag(context.values, 'clear');
    if (clear && tag !== undefined) throw new UsageError('tag: give a <tag> or --clear, not both', 'tag');
    if (!clear && (tag === undefined || !tag.trim())) throw new UsageError('tag: missing <tag> (or --clear to remove it)', 'tag');
    if (extra !== undefined) throw new UsageError('tag: too many arguments', 'tag');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    const value = clear ? null : (tag ?? '');
    const projectKey = await withStore(storeUrlOf(context), async (opened) => {
      const located = await locateSession(opened, sessionId, selection);
      await sessionFunctions.tagSession(sessionId, value, { sessionStore: projectPinnedStore(opened.store, located.projectKey) });
      return located.projectKey;
    });
    if (flag(context.values, 'json')) printJson(context.io, { projectKey, sessionId, tag: value === null ? null : value.trim() });
    else context.io.stderr.write(clear ? `cleared the tag of ${sessionId}\n` : `tagged ${sessionId}\n`);
    return ExitCode.ok;
  },
};
