import type { Command } from './command.js';
import { STORE_ENVIRONMENT_VARIABLE } from './command.js';
import { registeredStoreSchemes } from './store-url.js';

/** The program's name, as installed by the package's `bin`. */
export const PROGRAM = 'sdk-sessions';

/** `sdk-sessions --help`: the commands, store URLs and exit codes. */
export function programHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `usage: ${PROGRAM} <command> [options]`,
    '',
    'commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    `store URLs (--store, else $${STORE_ENVIRONMENT_VARIABLE}, else file: = ~/.claude):`,
    '  file:///abs/path            a Claude config folder (holding projects/)',
    '  redis://host:port/db?prefix=name, rediss://...',
    '  postgres://user@host:port/db?schema=name, postgresql://...',
    '  memory:[name]               this process only',
    `  registered schemes: ${registeredStoreSchemes().join(', ')}`,
    '',
    'exit codes: 0 ok, 1 failure, 2 usage or bad URL, 3 session not found, 4 store unreachable,',
    '            5 store lacks the capability, 6 conflicting data at the destination, 130 interrupted',
    '',
    `Run '${PROGRAM} <command> --help' for a command's options.`,
  ].join('\n');
}

/** `sdk-sessions <command> --help`. */
export function commandHelp(command: Command): string {
  return [...command.usage.map((line, index) => `${index === 0 ? 'usage:' : '      '} ${PROGRAM} ${line}`), '', command.summary].join('\n');
}
