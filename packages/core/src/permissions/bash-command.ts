/**
 * Reading a shell command line for permission rules: splitting compound commands into the
 * simple commands a rule is checked against, and matching one simple command to a rule's content.
 */

/** The parts of a command line, cut at `&&`, `||`, `;`, `|`, `|&`, `&` and newlines outside quotes. */
export type CommandParts = {
  parts: string[];
  /**
   * The line holds command or process substitution (`$(…)`, backticks, `<(…)`, `>(…)`): commands
   * no split can see, so no allow rule may approve the line.
   */
  hasSubstitution: boolean;
};

/** Splits a command line into its simple commands (trimmed, empty parts dropped). */
export function splitCompoundCommand(command: string): CommandParts {
  const parts: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let hasSubstitution = false;
  const cut = (): void => {
    if (current.trim() !== '') parts.push(current.trim());
    current = '';
  };
  for (let index = 0; index < command.length; index += 1) {
    const character = command.charAt(index);
    const next = command.charAt(index + 1);
    const previous = command.charAt(index - 1);
    if (quote === "'") {
      current += character;
      if (character === "'") quote = undefined;
      continue;
    }
    if (character === '\\') {
      current += character + next;
      index += 1;
      continue;
    }
    if (character === '`' || (character === '$' && next === '(')) hasSubstitution = true;
    if (quote === '"') {
      current += character;
      if (character === '"') quote = undefined;
      continue;
    }
    if ((character === '<' || character === '>') && next === '(') hasSubstitution = true;
    if (character === '"' || character === "'") {
      quote = character;
      current += character;
      continue;
    }
    if (character === '\n' || character === ';') {
      cut();
      continue;
    }
    if (character === '&' && next === '&') {
      cut();
      index += 1;
      continue;
    }
    if (character === '|') {
      cut();
      if (next === '|' || next === '&') index += 1;
      continue;
    }
    // `>&`, `&>` and `<&` are redirections, not the background operator.
    if (character === '&' && previous !== '>' && previous !== '<' && next !== '>') {
      cut();
      continue;
    }
    current += character;
  }
  cut();
  return { parts, hasSubstitution };
}

// Wrappers that run the command after them; rules are matched against the wrapped command, as
// the official engine does (`timeout 10 npm test` is `npm test` to `Bash(npm test:*)`).
const WRAPPERS: ReadonlyArray<{ name: string; skip: RegExp }> = [
  { name: 'timeout', skip: /^timeout(?:\s+-(?:-?[a-z-]+(?:[= ]\S+)?|[ks]\s*\S+))*\s+\d+(?:\.\d+)?[smhd]?\s+/ },
  { name: 'time', skip: /^time(?:\s+-p)?\s+/ },
  { name: 'nice', skip: /^nice(?:\s+-n\s*-?\d+|\s+-\d+)?\s+/ },
  { name: 'nohup', skip: /^nohup\s+/ },
  { name: 'stdbuf', skip: /^stdbuf(?:\s+-[ioe]\s*\S+)+\s+/ },
];

/** One simple command without the process wrappers in front of it. */
export function stripWrappers(command: string): string {
  let stripped = command.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const wrapper of WRAPPERS) {
      const match = stripped.startsWith(wrapper.name) ? wrapper.skip.exec(stripped) : null;
      if (match !== null) {
        stripped = stripped.slice(match[0].length).trim();
        changed = true;
      }
    }
  }
  return stripped;
}

/**
 * Does one simple command match a Bash rule's content? Forms: `npm test:*` (legacy prefix: the
 * command is `npm test` or starts with `npm test ` — so never `npm testx`), `git diff` (exact), and
 * `*` wildcards anywhere (`git * main`, `ls*`); a pattern ending in ` *` also matches the bare
 * command (`npm *` matches `npm`), like the legacy `:*` form.
 */
export function commandMatchesPattern(command: string, pattern: string): boolean {
  const subject = stripWrappers(command);
  if (pattern.endsWith(':*') && !pattern.slice(0, -2).includes('*')) {
    const prefix = pattern.slice(0, -2).trim();
    return subject === prefix || subject.startsWith(`${prefix} `);
  }
  if (!pattern.includes('*')) return subject === pattern.trim();
  const trimmed = pattern.trim();
  const optionalTail = trimmed.endsWith(' *') && trimmed.indexOf('*') === trimmed.length - 1;
  const body = optionalTail ? trimmed.slice(0, -2) : trimmed;
  const source = body
    .split('*')
    .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${source}${optionalTail ? '(?: [\\s\\S]*)?' : ''}$`).test(subject);
}

/** The program a simple command runs (`mkdir` for `timeout 5 mkdir -p x`). */
export function baseCommandOf(command: string): string {
  return stripWrappers(command).split(/\s+/)[0] ?? '';
}
