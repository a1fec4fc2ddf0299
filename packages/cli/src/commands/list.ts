import { flag, positiveIntegerOption, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatCost, formatCount, formatTime, oneLine, printJson, printTable } from '../output.js';
import { selectedProjects } from '../session-locator.js';
import { loadSessionRows } from '../session-rows.js';

const TITLE_WIDTH = 50;

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
      return loadSessionRows(opened, projects, limit);
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
