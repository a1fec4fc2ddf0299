import { UsageError } from '../cli-errors.js';
import { flag, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command, OptionValues } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { PROGRAM } from '../help.js';
import { startInspector } from '../inspector/inspector-server.js';
import { openBrowser } from '../inspector/open-browser.js';
import { printJson } from '../output.js';

const MAX_PORT = 65535;

function portOf(values: OptionValues): number {
  const text = stringOption(values, 'port');
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > MAX_PORT) throw new UsageError(`inspect: --port must be 0 (any free port) to ${MAX_PORT}, got ${JSON.stringify(text)}`, 'inspect');
  return port;
}

/** `--open=true|false` or `--no-open`; without either, a browser opens only when stdout is a terminal. */
function openOf(values: OptionValues, terminal: boolean): boolean {
  const text = stringOption(values, 'open');
  if (text !== undefined && flag(values, 'no-open')) throw new UsageError('inspect: give --open=<true|false> or --no-open, not both', 'inspect');
  if (flag(values, 'no-open')) return false;
  if (text === undefined) return terminal;
  if (/^(true|yes|1)$/i.test(text)) return true;
  if (/^(false|no|0)$/i.test(text)) return false;
  throw new UsageError(`inspect: --open must be true or false, got ${JSON.stringify(text)}`, 'inspect');
}

/** Resolves when `signal` aborts (SIGINT for the bin, the caller's signal in-process). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * `inspect`: a read-only web view of the store on 127.0.0.1, behind a random token, until SIGINT.
 * The store stays open while serving, so pages always show its current state.
 */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'browse projects and sessions in a local, read-only web page (127.0.0.1, token in the URL)',
  usage: ['inspect [--store <url>] [--port <n>] [--open=<true|false> | --no-open] [--json]'],
  options: {
    store: { type: 'string' },
    port: { type: 'string' },
    open: { type: 'string' },
    'no-open': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(context) {
    const port = portOf(context.values);
    const open = openOf(context.values, context.io.stdout.isTTY === true);
    return withStore(storeUrlOf(context), async (opened) => {
      const inspector = await startInspector(opened, {
        port,
        onError: (error) => context.io.stderr.write(`${PROGRAM}: inspect: ${error instanceof Error ? error.message : String(error)}\n`),
      });
      try {
        if (flag(context.values, 'json')) printJson(context.io, { url: inspector.url, port: inspector.port, store: opened.displayUrl });
        else context.io.stdout.write(`${inspector.url}\n`);
        context.io.stderr.write(`inspecting ${opened.displayUrl} read-only on 127.0.0.1:${inspector.port}; anyone with the URL can read these sessions. Ctrl-C stops.\n`);
        if (open && !(await openBrowser(inspector.url))) context.io.stderr.write('could not open a browser: open the URL above\n');
        await aborted(context.signal);
      } finally {
        await inspector.close();
      }
      return ExitCode.ok;
    });
  },
};
