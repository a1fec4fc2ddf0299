/**
 * What one tool call would touch: the facts permission modes and rules decide on. Tools declare
 * it (built-in tools do; custom tools usually do not), so the permission engine never has to know
 * each tool's input schema.
 */
export type ToolAccess = {
  /**
   * `read`: only reads files or directories; `edit`: creates, changes or deletes files;
   * `execute`: runs a command; `network`: fetches a URL; `other`: anything else.
   */
  kind: 'read' | 'edit' | 'execute' | 'network' | 'other';
  /** Absolute paths the call reads or writes, resolved against the working directory. */
  paths: string[];
  /** The command line, for `execute`. */
  command?: string;
  /** The URL, for `network`. */
  url?: string;
};
