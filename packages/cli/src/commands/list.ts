import type { SDKSessionInfo } from '@sdk/core';
import { flag, positiveIntegerOption, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatCost, formatCount, formatTime, oneLine, printJson, printTable } from '../output.js';
import { projectPinnedStore } from '../project-pinned-store.js';
import { selectedProjects } from '../session-locator.js';
import { sessionFunctions } from '../session-functions.js';
import { sessionRowOf } from '../session-row.js';
import type { SessionRow } from '../session-row.js';

const TITLE_WIDTH = 50;
/** Sessions loaded at once for their token counts. */
const LOAD_CONCURRENCY = 8;

/** `list`: sessions newest first, with title, size, tokens, cost and modification time. */
export const listCommand: Command = {
  name: 'list',
  summary: 'list sessions, newest first, with title, size, tokens, cost and modification time',
  usage: ['list [--store <url>] [--project <key> | --dir <path>] [--limit <n>] [--json]'],
  options: { ...STORE_OPTIONS, limit: { type: 'string' } },
  async run(context) {
    const limit = positiveIntegerOption(context.values, 'limit', Number.POSITIVE_INFINITY, 'list');
    const rows = await withStore(storeUrlOf(context), async (opened) => {
      const projects = await selectedProjects(opened, {
        project: stringOption(context.values, 'project'),
        dir: stringOption(context.values, 'dir'),
      });
      const listed: Array<{ projectKey: string; info: SDKSessionInfo }> = [];
      for (const projectKey of projects) {
        const sessionStore = projectPinnedStore(opened.store, projectKey);
        const infos = await sessionFunctions.listSessions({ sessionStore, ...(Number.isFinite(limit) && { limit }) });
        for (const info of infos) listed.push({ projectKey, info });
      }
      listed.sort((a, b) => b.info.lastModified - a.info.lastModified);
      const shown = Number.isFinite(limit) ? listed.slice(0, limit) : listed;
      const result: SessionRow[] = new Array<SessionRow>(shown.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < shown.length) {
          const index = next++;
          const { projectKey, info } = shown[index]!;
          const entries = (await opened.store.load({ projectKey, sessionId: info.sessionId })) ?? [];
          result[index] = sessionRowOf(projectKey, info, entries);
        }
      };
      await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, shown.length) }, worker));
      return result;
    });
    if (flag(context.values, 'json')) {
      printJson(context.io, { sessions: rows });
      return ExitCode.ok;
    }
    if (rows.length === 0) {
      context.io.stderr.write('no sessions\n');
      return ExitCode.ok;
    }
    const showProject = new Set(rows.map((row) => row.projectKey)).size > 1;
    printTable(
      context.io,
      [
        { header: 'MODIFIED (UTC)' },
        { header: 'SESSION' },
        ...(showProject ? [{ header: 'PROJECT' }] : []),
        { header: 'ENTRIES', align: 'right' as const },
        { header: 'SIZE', align: 'right' as const },
        { header: 'TOKENS', align: 'right' as const },
        { header: 'COST', align: 'right' as const },
        { header: 'TITLE' },
      ],
      rows.map((row) => [
        formatTime(Date.parse(row.lastModified)),
        row.sessionId,
        ...(showProject ? [row.projectKey] : []),
        String(row.entries),
        formatBytes(row.bytes),
        formatCount(row.tokens.total),
        formatCost(row.costUsd),
        `${oneLine(row.title, TITLE_WIDTH)}${row.tag === null ? '' : ` [${row.tag}]`}`,
      ]),
    );
    return ExitCode.ok;
  },
};
