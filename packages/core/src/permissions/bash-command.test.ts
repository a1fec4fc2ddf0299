import { describe, expect, it } from 'vitest';
import { baseCommandOf, commandMatchesPattern, splitCompoundCommand, stripWrappers } from './bash-command.js';

describe('splitCompoundCommand', () => {
  it('cuts at every shell operator outside quotes', () => {
    expect(splitCompoundCommand('npm test && rm -rf / ; ls | wc -l || echo x & sleep 1\npwd').parts).toEqual([
      'npm test',
      'rm -rf /',
      'ls',
      'wc -l',
      'echo x',
      'sleep 1',
      'pwd',
    ]);
    expect(splitCompoundCommand('a |& b').parts).toEqual(['a', 'b']);
  });

  it('keeps quoted operators and redirections inside one part', () => {
    expect(splitCompoundCommand(`echo "a && b" 'c; d' && ls 2>&1 &>/dev/null`).parts).toEqual([`echo "a && b" 'c; d'`, 'ls 2>&1 &>/dev/null']);
    expect(splitCompoundCommand('echo a\\;b').parts).toEqual(['echo a\\;b']);
  });

  it('flags command and process substitution', () => {
    expect(splitCompoundCommand('echo $(rm -rf /)').hasSubstitution).toBe(true);
    expect(splitCompoundCommand('echo "`id`"').hasSubstitution).toBe(true);
    expect(splitCompoundCommand('diff <(ls a) <(ls b)').hasSubstitution).toBe(true);
    expect(splitCompoundCommand("echo '$(not run)'").hasSubstitution).toBe(false);
  });
});

describe('commandMatchesPattern', () => {
  it('reads the legacy :* form as a prefix on a word boundary', () => {
    expect(commandMatchesPattern('npm test', 'npm test:*')).toBe(true);
    expect(commandMatchesPattern('npm test -- --watch', 'npm test:*')).toBe(true);
    expect(commandMatchesPattern('npm testx', 'npm test:*')).toBe(false);
    expect(commandMatchesPattern('npm tes', 'npm test:*')).toBe(false);
  });

  it('matches content without wildcard exactly', () => {
    expect(commandMatchesPattern('git diff', 'git diff')).toBe(true);
    expect(commandMatchesPattern('git diff HEAD', 'git diff')).toBe(false);
  });

  it('treats * as any text, a trailing " *" also matching the bare command', () => {
    expect(commandMatchesPattern('git checkout main', 'git * main')).toBe(true);
    expect(commandMatchesPattern('git checkout dev', 'git * main')).toBe(false);
    expect(commandMatchesPattern('ls -la', 'ls *')).toBe(true);
    expect(commandMatchesPattern('ls', 'ls *')).toBe(true);
    expect(commandMatchesPattern('lsof', 'ls *')).toBe(false);
    expect(commandMatchesPattern('lsof', 'ls*')).toBe(true);
    expect(commandMatchesPattern('a.b', 'a.*')).toBe(true);
    expect(commandMatchesPattern('aXb', 'a.b')).toBe(false);
  });

  it('matches the command behind process wrappers', () => {
    expect(stripWrappers('timeout 10 nice -n 5 nohup npm test')).toBe('npm test');
    expect(commandMatchesPattern('timeout 30s npm test', 'npm test:*')).toBe(true);
    expect(baseCommandOf('time mkdir -p x')).toBe('mkdir');
  });
});
