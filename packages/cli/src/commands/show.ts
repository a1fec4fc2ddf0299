import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { messageHeading, messageLines } from '../conversation-text.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatCost, formatTime, printJson } from '../output.js';
import { projectPinnedStore } from '../project-pinned-store.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';
import { sessionFunctions } from '../session-functions.js';
import { sessionRowFor } from '../session-rows.js';

/** `show`: a session's conversation, readable, with tool calls and their results. */
export const showCommand: Command = {
  name: 'show',
  summary: 'print a session: its details and the conversation with tool calls and results',
  usage: ['show <sessionId> [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: { ...STORE_OPTIONS },
  async run(context) {
    const sessionId = context.positionals[0];
    assertSessionIdArgument(sessionId, 'show');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    const shown = await withStore(storeUrlOf(context), async (opened) => {
      const located = await locateSession(opened, sessionId, selection);
      const sessionStore = projectPinnedStore(opened.store, located.projectKey);
      const session = await sessionRowFor(opened, located.projectKey, sessionId, located.entries);
      const messages = await sessionFunctions.getSessionMessages(sessionId, { sessionStore });
      const subagents = sessionStore.listSubkeys ? await sessionFunctions.listSubagents(sessionId, { sessionStore }) : [];
      return { session, messages, subagents };
    });
    if (flag(context.values, 'json')) {
      printJson(context.io, shown);
      return ExitCode.ok;
    }
    const { session, messages, subagents } = shown;
    const out: string[] = [
      `session   ${session.sessionId}`,
      `project   ${session.projectKey}`,
      `title     ${session.title}`,
      ...(session.tag === null ? [] : [`tag       ${session.tag}`]),
      ...(session.gitBranch === null ? [] : [`branch    ${session.gitBranch}`]),
      ...(session.createdAt === null ? [] : [`created   ${formatTime(Date.parse(session.createdAt))} UTC`]),
      `modified  ${formatTime(Date.parse(session.lastModified))} UTC`,
      `size      ${session.entries} entries, ${formatBytes(session.bytes)}`,
      `tokens    ${session.tokens.total} (input ${session.tokens.input}, output ${session.tokens.output}, cache read ${session.tokens.cacheRead}, cache write ${session.tokens.cacheCreation})`,
      `cost      ${formatCost(session.costUsd)}`,
      ...(subagents.length === 0 ? [] : [`subagents ${subagents.join(', ')}`]),
    ];
    for (const message of messages) out.push('', messageHeading(message.type, message.message), ...messageLines(message.message));
    context.io.stdout.write(`${out.join('\n')}\n`);
    return ExitCode.ok;
  },
};
