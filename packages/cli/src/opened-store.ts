import type { ExtendedSessionStore } from '@sdk/core';

/**
 * A store opened from a URL, with what the protocol itself cannot tell: which projects exist, and
 * how to let go of the connection.
 */
export type OpenedStore = {
  readonly store: ExtendedSessionStore;
  /** The URL with any password replaced by `***`, for messages. */
  readonly displayUrl: string;
  /**
   * Every project key holding sessions. Absent when the backend cannot enumerate them: commands
   * then need `--project` (or `--dir`), or fall back to the current directory's project.
   */
  listProjects?(): Promise<string[]>;
  /** Flushes and closes whatever the store holds open. Called once, when the command ends. */
  close(): Promise<void>;
};
