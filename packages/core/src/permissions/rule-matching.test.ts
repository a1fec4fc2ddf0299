import { describe, expect, it } from 'vitest';
import type { ToolAccess } from '../tools/tool-access.js';
import { commandCoveredByRules, ruleMatches, ruleNamesTool } from './rule-matching.js';
import { parsePermissionRule } from './rule-syntax.js';

const anchors = { cwd: '/work/project', home: '/home/ada' };
const bash = (command: string): { toolName: string; access: ToolAccess } => ({ toolName: 'Bash', access: { kind: 'execute', paths: [], command } });
const matches = (rule: string, subject: { toolName: string; access: ToolAccess | undefined }, purpose: 'approve' | 'restrict' = 'approve') =>
  ruleMatches(parsePermissionRule(rule), subject, purpose, anchors);

describe('ruleNamesTool', () => {
  it('matches exact names, legacy names and the MCP server forms', () => {
    expect(ruleNamesTool('Bash', 'Bash')).toBe(true);
    expect(ruleNamesTool('Bash', 'BashOutput')).toBe(false);
    expect(ruleNamesTool('Task', 'Agent')).toBe(true);
    expect(ruleNamesTool('mcp__github', 'mcp__github__create_issue')).toBe(true);
    expect(ruleNamesTool('mcp__github__*', 'mcp__github__create_issue')).toBe(true);
    expect(ruleNamesTool('mcp__github', 'mcp__githubx__create_issue')).toBe(false);
    expect(ruleNamesTool('mcp__github__create_issue', 'mcp__github__create_issue')).toBe(true);
    expect(ruleNamesTool('mcp__github__create_issue', 'mcp__github__delete_repo')).toBe(false);
  });
});

describe('ruleMatches', () => {
  it('covers every call of the tool with a bare rule, including calls without access', () => {
    expect(matches('Bash', bash('rm -rf /'))).toBe(true);
    expect(matches('mcp__db', { toolName: 'mcp__db__query', access: undefined })).toBe(true);
    expect(matches('Read', bash('ls'))).toBe(false);
  });

  it('approves a compound command only when the rule covers every part', () => {
    expect(matches('Bash(npm test:*)', bash('npm test'))).toBe(true);
    expect(matches('Bash(npm test:*)', bash('npm testx'))).toBe(false);
    expect(matches('Bash(npm test:*)', bash('npm test && rm -rf /'))).toBe(false);
    expect(matches('Bash(npm test:*)', bash('npm test; npm test -- --ci'))).toBe(true);
    expect(matches('Bash(npm test:*)', bash('npm test $(rm -rf /)'))).toBe(false);
    expect(matches('Bash(git diff)', bash('git diff'))).toBe(true);
    expect(matches('Bash(git diff)', bash('git diff --stat'))).toBe(false);
  });

  it('restricts a compound command when the rule covers any part', () => {
    expect(matches('Bash(rm:*)', bash('npm test && rm -rf /'), 'restrict')).toBe(true);
    expect(matches('Bash(rm:*)', bash('echo ok | timeout 5 rm x'), 'restrict')).toBe(true);
    expect(matches('Bash(rm:*)', bash('npm test'), 'restrict')).toBe(false);
    expect(matches('Bash(curl *)', bash('echo "x && y" && curl evil.example'), 'restrict')).toBe(true);
  });

  it('reads path rules by access kind: Read rules for reads, Edit rules for edits', () => {
    const read = (paths: string[]) => ({ toolName: 'Grep', access: { kind: 'read' as const, paths } });
    const write = (paths: string[]) => ({ toolName: 'Write', access: { kind: 'edit' as const, paths } });
    expect(matches('Read(./src/**)', read(['/work/project/src/a.ts']))).toBe(true);
    expect(matches('Read(./src/**)', read(['/work/project/src/a.ts', '/work/project/.env']))).toBe(false);
    expect(matches('Read(./.env)', read(['/work/project/src/a.ts', '/work/project/.env']), 'restrict')).toBe(true);
    expect(matches('Read(./src/**)', read([]))).toBe(false);
    expect(matches('Edit(//etc/**)', write(['/etc/hosts']), 'restrict')).toBe(true);
    expect(matches('Edit(//etc/**)', read(['/etc/hosts']), 'restrict')).toBe(false);
    expect(matches('Read(~/.ssh/**)', read(['/home/ada/.ssh/id_rsa']), 'restrict')).toBe(true);
  });

  it('does not let a path rule approve a shell command, though it restricts one', () => {
    const cat = { toolName: 'Bash', access: { kind: 'read' as const, paths: ['/work/project/.env'], command: 'cat .env' } };
    expect(matches('Read(./.env)', cat, 'approve')).toBe(false);
    expect(matches('Read(./.env)', cat, 'restrict')).toBe(true);
  });

  it('matches WebFetch domain rules on the host of the URL', () => {
    const fetch = (url: string) => ({ toolName: 'WebFetch', access: { kind: 'network' as const, paths: [], url } });
    expect(matches('WebFetch(domain:example.com)', fetch('https://example.com/a'))).toBe(true);
    expect(matches('WebFetch(domain:example.com)', fetch('https://evil-example.com/a'))).toBe(false);
    expect(matches('WebFetch(domain:example.com)', fetch('https://api.example.com/a'))).toBe(false);
    expect(matches('WebFetch(domain:*.example.com)', fetch('https://api.example.com/a'))).toBe(true);
    expect(matches('WebFetch(domain:example.com)', fetch('not a url'))).toBe(false);
  });

  it('lets content on other tools cover nothing', () => {
    expect(matches('Agent(Explore)', { toolName: 'Agent', access: { kind: 'other', paths: [] } }, 'restrict')).toBe(false);
  });
});

describe('commandCoveredByRules', () => {
  it('approves a compound command whose parts are each covered by some rule', () => {
    const rules = ['Bash(npm test:*)', 'Bash(git status)'].map((rule) => parsePermissionRule(rule));
    expect(commandCoveredByRules('npm test && git status', rules, 'Bash')).toBe(true);
    expect(commandCoveredByRules('npm test && git push', rules, 'Bash')).toBe(false);
    expect(commandCoveredByRules('npm test && git status', rules, 'PowerShell')).toBe(false);
  });
});
