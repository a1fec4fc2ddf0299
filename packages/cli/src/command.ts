import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-errors.js';
import type { ExitCodeValue } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { OpenedStore } from './opened-store.js';
import { openStore } from './open-store.js';

/** Option values as `parseArgs` returns them. */
export type OptionValues = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

/** What a command gets: its parsed arguments and the process's streams. */
export type CommandContext = {
  io: CliIo;
  values: OptionValues;
  positionals: readonly string[];
  /** Aborted on SIGINT; never aborted when the caller passes no signal. */
  signal: AbortSignal;
};

/** One `sdk-sessions` command. Adding one (for example `inspect`) is a new file and a line in `commands/index.ts`. */
export type Command = {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis lines, without the program name. */
  readonly usage: readonly string[];
  /** Options besides the common `--help`. */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(context: CommandContext): Promise<ExitCodeValue>;
};

/** `--store`, `--project`, `--dir`, `--json`: the options most commands take. */
export const STORE_OPTIONS = {
  store: { type: 'string' },
  project: { type: 'string' },
  dir: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The environment variable that supplies `--store` when it is omitted. */
export const STORE_ENVIRONMENT_VARIABLE = 'SDK_SESSIONS_STORE';

/** A string option, or undefined when it was not given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable string option. */
export function stringOptions(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** True when a boolean flag was given. */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A positive integer option, `fallback` when absent; `UsageError` when it is anything else. */
export function positiveIntegerOption(values: OptionValues, name: string, fallback: number, command: string): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`${command}: --${name} must be a positive integer, got ${JSON.stringify(text)}`, command);
  }
  return value;
}

/** The store URL of `--<name>`, else `SDK_SESSIONS_STORE`, else `file:` (Claude Code's own sessions). */
export function storeUrlOf(context: CommandContext, name = 'store'): string {
  return stringOption(context.values, name) ?? (context.io.env ?? process.env)[STORE_ENVIRONMENT_VARIABLE] ?? 'file:';
}

/** Opens the store of `url`, runs `use` with it, and closes it whatever happens. */
export async function withStore<T>(url: string, use: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openStore(url);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}
