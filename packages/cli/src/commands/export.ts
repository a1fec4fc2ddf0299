import { rename, writeFile } from 'node:fs/promises';
import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { assertSessionIdArgument, locateSession } from '../session-locator.js';
import { transcriptJsonl } from '../transcript-file.js';

/**
 * `export`: a session's main transcript as JSONL, the raw entries one per line as Claude Code
 * writes them, so the file can be dropped into `~/.claude/projects/<project>/` and resumed.
 */
export const exportCommand: Command = {
  name: 'export',
  summary: "write a session's transcript as Claude Code JSONL (stdout, or --out <file>)",
  usage: ['export <sessionId> [--out <file>] [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: { ...STORE_OPTIONS, out: { type: 'string', short: 'o' } },
  async run(context) {
    const sessionId = context.positionals[0];
    assertSessionIdArgument(sessionId, 'export');
    const out = stringOption(context.values, 'out');
    const selection = { project: stringOption(context.values, 'project'), dir: stringOption(context.values, 'dir') };
    const located = await withStore(storeUrlOf(context), (opened) => locateSession(opened, sessionId, selection));
    const text = transcriptJsonl(located.entries);
    if (out === undefined) {
      // The transcript itself is the output; `--json` changes nothing, since it already is JSON.
      context.io.stdout.write(text);
      return ExitCode.ok;
    }
    // Written beside the target and renamed over it, so a reader never sees half a transcript.
    const partial = `${out}.${process.pid}.partial`;
    await writeFile(partial, text, 'utf8');
    await rename(partial, out);
    const summary = { projectKey: located.projectKey, sessionId, entries: located.entries.length, bytes: Buffer.byteLength(text), out };
    if (flag(context.values, 'json')) printJson(context.io, summary);
    else context.io.stderr.write(`exported ${summary.entries} entries to ${out}\n`);
    return ExitCode.ok;
  },
};
