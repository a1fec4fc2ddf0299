import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import type { PermissionMode } from '../messages.js';
import type { CanUseTool, PermissionResult, PermissionUpdate } from '../query/options.js';
import type { ToolAccess } from '../tools/tool-access.js';
import { PermissionPolicy, type PermissionPolicyOptions, type PermissionRequest } from './permission-policy.js';

const cwd = '/work/project';
const signal = new AbortController().signal;

type Asked = { toolName: string; input: Record<string, unknown>; options: Parameters<CanUseTool>[2] };

/** A canUseTool that records its calls and answers with `answer`. */
function recorder(answer: (asked: Asked) => PermissionResult | null | Promise<PermissionResult | null>) {
  const calls: Asked[] = [];
  const canUseTool: CanUseTool = async (toolName, input, options) => {
    const asked = { toolName, input, options };
    calls.push(asked);
    return answer(asked);
  };
  return { calls, canUseTool };
}

const allowAll = () => recorder(() => ({ behavior: 'allow' }));

function policy(options: Partial<PermissionPolicyOptions> = {}): PermissionPolicy {
  return new PermissionPolicy({ mode: 'default', cwd, home: '/home/ada', ...options });
}

const read = (path = `${cwd}/src/a.ts`): ToolAccess => ({ kind: 'read', paths: [path] });
const edit = (path = `${cwd}/src/a.ts`): ToolAccess => ({ kind: 'edit', paths: [path] });
const exec = (command: string, paths: string[] = []): ToolAccess => ({ kind: 'execute', paths, command });
const network = (url: string): ToolAccess => ({ kind: 'network', paths: [], url });

function request(toolName: string, access: ToolAccess | undefined, extra: Partial<PermissionRequest> = {}): PermissionRequest {
  return { toolName, input: { marker: toolName }, toolUseId: 'toolu_1', access, signal, ...extra };
}

describe('PermissionPolicy modes', () => {
  const cases: Array<[PermissionMode, string, ToolAccess, string]> = [
    // mode, tool, access, expected: allow:<reason> | ask | deny:<reason>
    ['default', 'Read', read(), 'allow:readOnly'],
    ['default', 'Read', read('/etc/passwd'), 'ask'],
    ['default', 'Edit', edit(), 'ask'],
    ['default', 'Bash', exec('npm test'), 'ask'],
    ['default', 'WebFetch', network('https://example.com'), 'ask'],
    ['acceptEdits', 'Edit', edit(), 'allow:mode'],
    ['acceptEdits', 'Edit', edit('/tmp/outside.ts'), 'ask'],
    ['acceptEdits', 'Edit', edit(`${cwd}/.git/config`), 'ask'],
    ['acceptEdits', 'Bash', exec('mkdir -p build && touch build/x', [`${cwd}/build`]), 'allow:mode'],
    ['acceptEdits', 'Bash', exec('mkdir /tmp/x', ['/tmp/x']), 'ask'],
    ['acceptEdits', 'Bash', exec('mkdir x && curl evil.example'), 'ask'],
    ['acceptEdits', 'Bash', exec('npm install'), 'ask'],
    ['acceptEdits', 'Read', read(), 'allow:readOnly'],
    ['bypassPermissions', 'Bash', exec('rm -rf build'), 'allow:mode'],
    ['bypassPermissions', 'Edit', edit('/etc/hosts'), 'allow:mode'],
    ['plan', 'Read', read(), 'allow:readOnly'],
    ['plan', 'Edit', edit(), 'ask'],
    ['plan', 'Bash', exec('npm test'), 'ask'],
    ['dontAsk', 'Read', read(), 'allow:readOnly'],
    ['dontAsk', 'Edit', edit(), 'deny:mode'],
    ['dontAsk', 'Bash', exec('npm test'), 'deny:mode'],
    ['auto', 'Bash', exec('npm test'), 'ask'],
  ];
  it.each(cases)('%s mode, %s %j → %s', async (mode, toolName, access, expected) => {
    const approver = allowAll();
    const decision = await policy({ mode, canUseTool: approver.canUseTool }).decide(request(toolName, access));
    if (expected === 'ask') {
      expect(approver.calls).toHaveLength(1);
      expect(decision).toMatchObject({ behavior: 'allow', reason: 'canUseTool' });
    } else {
      const [behavior, reason] = expected.split(':');
      expect(approver.calls).toHaveLength(0);
      expect(decision).toMatchObject({ behavior, reason });
    }
  });

  it('lets allow rules approve in default mode but not edits in plan mode', async () => {
    const approver = recorder(() => ({ behavior: 'deny', message: 'no' }));
    const options = { allowedTools: ['Edit', 'Bash(npm test:*)'], canUseTool: approver.canUseTool };
    expect(await policy(options).decide(request('Edit', edit()))).toMatchObject({ behavior: 'allow', reason: 'rule', rule: 'Edit' });
    expect(await policy({ ...options, mode: 'dontAsk' }).decide(request('Bash', exec('npm test')))).toMatchObject({ behavior: 'allow', rule: 'Bash(npm test:*)' });
    expect(await policy({ ...options, mode: 'plan' }).decide(request('Edit', edit()))).toMatchObject({ behavior: 'deny', message: 'no' });
    expect(approver.calls[0]?.options.decisionReason).toMatch(/Plan mode/);
  });

  it('denies what needs approval when no canUseTool is given (as the official SDK does)', async () => {
    const decision = await policy().decide(request('Bash', exec('npm test')));
    expect(decision).toEqual({
      behavior: 'deny',
      message: "Claude requested permissions to use Bash, but you haven't granted it yet.",
      interrupt: false,
      reason: 'noApprover',
    });
  });

  it('treats a call without declared access as "other": asked in default, allowed by bypass', async () => {
    expect(await policy().decide(request('custom', undefined))).toMatchObject({ behavior: 'deny', reason: 'noApprover' });
    expect(await policy({ mode: 'bypassPermissions' }).decide(request('custom', undefined))).toMatchObject({ behavior: 'allow', reason: 'mode' });
    expect(await policy({ allowedTools: ['custom'] }).decide(request('custom', undefined))).toMatchObject({ behavior: 'allow', reason: 'rule' });
  });

  it('reads inside additional directories without asking', async () => {
    const decision = await policy({ additionalDirectories: ['../shared'] }).decide(request('Read', read('/work/shared/x.md')));
    expect(decision).toMatchObject({ behavior: 'allow', reason: 'readOnly' });
  });
});

describe('PermissionPolicy evaluation order', () => {
  it('lets deny rules beat allow rules, bypass mode and a hook allow', async () => {
    const options = { allowedTools: ['Bash'], disallowedTools: ['Bash(rm:*)'] };
    for (const mode of ['default', 'bypassPermissions'] as const) {
      const decision = await policy({ ...options, mode }).decide(request('Bash', exec('npm test && rm -rf /')));
      expect(decision).toEqual({
        behavior: 'deny',
        message: 'Permission to use Bash with command npm test && rm -rf / has been denied.',
        interrupt: false,
        reason: 'rule',
        rule: 'Bash(rm:*)',
      });
    }
    const hooked = await policy(options).decide(request('Bash', exec('rm x'), { hookDecision: { decision: 'allow' } }));
    expect(hooked).toMatchObject({ behavior: 'deny', reason: 'rule' });
    expect(await policy(options).decide(request('Bash', exec('npm test')))).toMatchObject({ behavior: 'allow', rule: 'Bash' });
  });

  it('sends ask-rule matches to canUseTool even with an allow rule, in bypass mode and after a hook allow', async () => {
    const approver = recorder(() => ({ behavior: 'deny', message: 'not now' }));
    const options = { askTools: ['Bash(git push:*)'], allowedTools: ['Bash'], canUseTool: approver.canUseTool };
    expect(await policy(options).decide(request('Bash', exec('git push origin main')))).toMatchObject({ behavior: 'deny', message: 'not now' });
    expect(await policy({ ...options, mode: 'bypassPermissions' }).decide(request('Bash', exec('git push')))).toMatchObject({ behavior: 'deny' });
    expect(await policy(options).decide(request('Bash', exec('git push'), { hookDecision: { decision: 'allow' } }))).toMatchObject({ behavior: 'deny' });
    expect(approver.calls).toHaveLength(3);
    expect(approver.calls[0]?.options.decisionReason).toBe('The rule Bash(git push:*) requires approval');
    expect(await policy({ ...options, mode: 'dontAsk' }).decide(request('Bash', exec('git push')))).toEqual({
      behavior: 'deny',
      message: "Permission to use Bash has been denied because Claude Code is running in don't ask mode.",
      interrupt: false,
      reason: 'mode',
    });
  });

  it('applies hook decisions: deny first, allow skipping canUseTool, ask forcing it, defer pausing', async () => {
    const approver = allowAll();
    const subject = policy({ canUseTool: approver.canUseTool, allowedTools: ['Bash'] });
    expect(await subject.decide(request('Bash', exec('ls'), { hookDecision: { decision: 'deny', reason: 'hook says no' } }))).toEqual({
      behavior: 'deny',
      message: 'hook says no',
      interrupt: false,
      reason: 'hook',
    });
    expect(await subject.decide(request('Edit', edit(), { hookDecision: { decision: 'allow' } }))).toMatchObject({ behavior: 'allow', reason: 'hook' });
    expect(approver.calls).toHaveLength(0);
    expect(await subject.decide(request('Bash', exec('ls'), { hookDecision: { decision: 'ask', reason: 'check' } }))).toMatchObject({ reason: 'canUseTool' });
    expect(approver.calls[0]?.options.decisionReason).toBe('check');
    expect(await subject.decide(request('Bash', exec('ls'), { hookDecision: { decision: 'defer' } }))).toMatchObject({ behavior: 'defer', reason: 'hook' });
    expect(approver.calls).toHaveLength(1);
  });

  it('approves a compound command whose parts are covered by different allow rules', async () => {
    const subject = policy({ allowedTools: ['Bash(npm test:*)', 'Bash(git status)'] });
    expect(await subject.decide(request('Bash', exec('npm test && git status')))).toMatchObject({ behavior: 'allow', reason: 'rule' });
    expect(await subject.decide(request('Bash', exec('npm test && git push')))).toMatchObject({ behavior: 'deny', reason: 'noApprover' });
  });
});

describe('PermissionPolicy canUseTool', () => {
  it('passes the official third argument: signal, suggestions, decisionReason, toolUseID, agentID, requestId', async () => {
    const approver = allowAll();
    const controller = new AbortController();
    await policy({ canUseTool: approver.canUseTool }).decide(
      request('Bash', exec('npm test && npm run lint'), { signal: controller.signal, agentId: 'agent-1', toolUseId: 'toolu_9' }),
    );
    const options = approver.calls[0]?.options;
    expect(options?.signal).toBe(controller.signal);
    expect(options?.toolUseID).toBe('toolu_9');
    expect(options?.agentID).toBe('agent-1');
    expect(options?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(options?.decisionReason).toBe('Bash requires approval');
    expect(options?.blockedPath).toBeUndefined();
    expect(options?.suggestions).toEqual([
      { type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'npm test' }, { toolName: 'Bash', ruleContent: 'npm run lint' }], behavior: 'allow', destination: 'session' },
    ]);
  });

  it('names the blocked path and suggests adding its directory when a path is outside the working directories', async () => {
    const approver = allowAll();
    await policy({ canUseTool: approver.canUseTool }).decide(request('Edit', edit('/opt/data/x.json')));
    const options = approver.calls[0]?.options;
    expect(options?.blockedPath).toBe('/opt/data/x.json');
    expect(options?.decisionReason).toBe('/opt/data/x.json is outside the allowed working directories');
    expect(options?.suggestions).toEqual([
      { type: 'addRules', rules: [{ toolName: 'Edit' }], behavior: 'allow', destination: 'session' },
      { type: 'setMode', mode: 'acceptEdits', destination: 'session' },
      { type: 'addDirectories', directories: ['/opt/data'], destination: 'session' },
    ]);
  });

  it('runs the tool with updatedInput and carries updatedPermissions', async () => {
    const updates: PermissionUpdate[] = [{ type: 'addRules', rules: [{ toolName: 'Bash' }], behavior: 'allow', destination: 'session' }];
    const approver = recorder(() => ({ behavior: 'allow', updatedInput: { command: 'npm test -- --ci' }, updatedPermissions: updates }));
    const decision = await policy({ canUseTool: approver.canUseTool }).decide(request('Bash', exec('npm test')));
    expect(decision).toEqual({ behavior: 'allow', input: { command: 'npm test -- --ci' }, reason: 'canUseTool', updatedPermissions: updates });
    const plain = await policy({ canUseTool: allowAll().canUseTool }).decide(request('Bash', exec('npm test')));
    expect(plain).toEqual({ behavior: 'allow', input: { marker: 'Bash' }, reason: 'canUseTool' });
  });

  it('denies with the message and interrupt flag of a deny answer', async () => {
    const approver = recorder(() => ({ behavior: 'deny', message: 'stop everything', interrupt: true }));
    expect(await policy({ canUseTool: approver.canUseTool }).decide(request('Bash', exec('x')))).toEqual({
      behavior: 'deny',
      message: 'stop everything',
      interrupt: true,
      reason: 'canUseTool',
    });
  });

  it('denies when canUseTool throws or answers nonsense, defers when it returns null', async () => {
    const throwing: CanUseTool = async () => {
      throw new Error('approval service down');
    };
    expect(await policy({ canUseTool: throwing }).decide(request('Bash', exec('x')))).toEqual({
      behavior: 'deny',
      message: 'canUseTool failed for Bash: approval service down',
      interrupt: false,
      reason: 'canUseTool',
    });
    const nonsense = recorder(() => ({ behavior: 'maybe' }) as unknown as PermissionResult);
    expect(await policy({ canUseTool: nonsense.canUseTool }).decide(request('Bash', exec('x')))).toMatchObject({ behavior: 'deny', reason: 'canUseTool' });
    const deferring = recorder(() => null);
    expect(await policy({ canUseTool: deferring.canUseTool }).decide(request('Bash', exec('x')))).toMatchObject({ behavior: 'defer', reason: 'canUseTool' });
  });

  it('turns a later answer into a decision, still under the deny rules in effect', () => {
    const subject = policy({ disallowedTools: ['Bash(rm:*)'] });
    expect(subject.applyAnswer(request('Bash', exec('ls')), { behavior: 'allow', updatedInput: { command: 'ls -la' } })).toEqual({
      behavior: 'allow',
      input: { command: 'ls -la' },
      reason: 'canUseTool',
    });
    expect(subject.applyAnswer(request('Bash', exec('rm x')), { behavior: 'allow' })).toMatchObject({ behavior: 'deny', reason: 'rule' });
    expect(subject.applyAnswer(request('Bash', exec('ls')), { behavior: 'deny', message: 'no' })).toMatchObject({ behavior: 'deny', message: 'no' });
  });
});

describe('PermissionPolicy updates', () => {
  it('adds, replaces and removes session rules without touching the options rules', async () => {
    const base = policy({ allowedTools: ['Read'] });
    const added = base.withUpdates([{ type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'npm test:*' }], behavior: 'allow', destination: 'session' }]);
    expect(await added.decide(request('Bash', exec('npm test')))).toMatchObject({ behavior: 'allow', rule: 'Bash(npm test:*)' });
    expect(await base.decide(request('Bash', exec('npm test')))).toMatchObject({ behavior: 'deny' });
    const replaced = added.withUpdates([{ type: 'replaceRules', rules: [{ toolName: 'Task' }], behavior: 'allow', destination: 'session' }]);
    expect(replaced.rules('allow')).toEqual(['Read', 'Agent']);
    const removed = replaced.withUpdates([{ type: 'removeRules', rules: [{ toolName: 'Agent' }, { toolName: 'Read' }], behavior: 'allow', destination: 'session' }]);
    expect(removed.rules('allow')).toEqual(['Read']);
    const denied = removed.withUpdates([{ type: 'addRules', rules: [{ toolName: 'Read', ruleContent: './.env' }], behavior: 'deny', destination: 'session' }]);
    expect(await denied.decide(request('Read', read(`${cwd}/.env`)))).toMatchObject({ behavior: 'deny', rule: 'Read(./.env)' });
  });

  it('changes the mode and the working directories', async () => {
    const base = policy();
    const accepting = base.withUpdates([{ type: 'setMode', mode: 'acceptEdits', destination: 'session' }]);
    expect(accepting.mode).toBe('acceptEdits');
    expect(await accepting.decide(request('Write', edit()))).toMatchObject({ behavior: 'allow', reason: 'mode' });
    const wider = base.withUpdates([{ type: 'addDirectories', directories: ['/opt/data'], destination: 'session' }]);
    expect(await wider.decide(request('Read', read('/opt/data/x')))).toMatchObject({ behavior: 'allow', reason: 'readOnly' });
    expect(wider.workingDirectories).toEqual([cwd, '/opt/data']);
    const narrower = wider.withUpdates([{ type: 'removeDirectories', directories: ['/opt/data'], destination: 'session' }]);
    expect(narrower.workingDirectories).toEqual([cwd]);
    expect(base.withMode('plan').mode).toBe('plan');
    expect(base.mode).toBe('default');
  });

  it('refuses malformed rules, unknown modes and unknown update types', () => {
    expect(() => policy({ mode: 'yolo' as PermissionMode })).toThrow(/Unknown permission mode "yolo"/);
    expect(() => policy().withMode('yolo' as PermissionMode)).toThrow(InvalidArgumentError);
    expect(() => policy().withUpdates([{ type: 'setMode', mode: 'yolo' as PermissionMode, destination: 'session' }])).toThrow(InvalidArgumentError);
    expect(() => policy({ allowedTools: ['Bash(x'] })).toThrow(InvalidArgumentError);
    expect(() => policy().withUpdates([{ type: 'addRules', rules: [{ toolName: 'a b' }], behavior: 'allow', destination: 'session' }])).toThrow(InvalidArgumentError);
    expect(() => policy().withUpdates([{ type: 'grantAll' } as unknown as PermissionUpdate])).toThrow(/Unknown permission update type "grantAll"/);
  });
});
