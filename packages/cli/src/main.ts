import { parseArgs } from 'node:util';
import { UsageError } from './cli-errors.js';
import { COMMANDS } from './commands/index.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import type { ExitCodeValue } from './exit-codes.js';
import { commandHelp, PROGRAM, programHelp } from './help.js';
import type { CliIo } from './io.js';
import { registerBuiltinSchemes } from './schemes/builtin-schemes.js';

/**
 * Runs `sdk-sessions` with `argv` (the arguments after the program name) and resolves to the exit
 * code; it never throws and never exits the process. Errors are reported on `io.stderr` as
 * `sdk-sessions: <message>`, with the command's usage for usage errors.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  registerBuiltinSchemes();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(`${programHelp(COMMANDS)}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`${PROGRAM}: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((candidate) => candidate.name).join(', ')}\n`);
    return ExitCode.usage;
  }
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (error) {
      // parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes.
      throw new UsageError(`${command.name}: ${(error as Error).message}`, command.name);
    }
    if (parsed.values.help === true) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return ExitCode.ok;
    }
    return await command.run({ io, values: parsed.values, positionals: parsed.positionals, signal: io.signal ?? new AbortController().signal });
  } catch (error) {
    const code = exitCodeOf(error);
    io.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError && error.command !== undefined) io.stderr.write(`${commandHelp(command)}\n`);
    return code;
  }
}
