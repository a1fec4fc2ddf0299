import { StoreCapabilityError } from '@sdk/core';
import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { UsageError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';

/** `delete`: removes a session with its subagent transcripts, after confirmation. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a session and its subagent transcripts (asks first unless --yes)',
  usage: ['delete <sessionId> [--yes] [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: { ...STORE_OPTIONS, yes: { type: 'boolean', short: 'y' } },
  async run(context) {
    const sessionId = context.positionals[0];
    assertSessionIdArgument(sessionId, 'delete');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    const outcome = await withStore(storeUrlOf(context), async (opened) => {
      const located = await locateSession(opened, sessionId, selection);
      const remove = opened.store.delete?.bind(opened.store);
      // The official deleteSession is a silent no-op on such a store; a command must say it did nothing.
      if (!remove) throw new StoreCapabilityError(`${opened.displayUrl} cannot delete sessions (its store has no delete method)`, 'delete');
      if (!flag(context.values, 'yes')) {
        if (!context.io.confirm) {
          throw new UsageError(`delete: refusing to delete ${sessionId} without confirmation: pass --yes`, 'delete');
        }
        if (!(await context.io.confirm(`delete session ${sessionId} (${located.entries.length} entries) from ${opened.displayUrl}? [y/N] `))) {
          return undefined;
        }
      }
      await remove({ projectKey: located.projectKey, sessionId });
      return { projectKey: located.projectKey, sessionId, deleted: true };
    });
    if (outcome === undefined) {
      context.io.stderr.write('not deleted\n');
      return ExitCode.failure;
    }
    if (flag(context.values, 'json')) printJson(context.io, outcome);
    else context.io.stderr.write(`deleted ${sessionId}\n`);
    return ExitCode.ok;
  },
};
