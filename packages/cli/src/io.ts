/** Where a command writes. Only `write` is used, so tests pass plain collectors. */
export type OutputStream = {
  /** Writes text as is (no newline added). */
  write(text: string): unknown;
  /** True when the stream is a terminal: progress bars are drawn only then. */
  readonly isTTY?: boolean;
};

/** What {@link run} reads and writes instead of the process globals, so it runs in-process in tests. */
export type CliIo = {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Aborted on SIGINT: `tail -f` stops, `migrate` finishes the sessions in flight and reports. */
  signal?: AbortSignal;
  /** Environment variables (`SDK_SESSIONS_STORE`, `CLAUDE_CONFIG_DIR`); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Asks a yes/no question on a terminal; absent when stdin is not one (then `delete` needs `--yes`). */
  confirm?: (question: string) => Promise<boolean>;
};
