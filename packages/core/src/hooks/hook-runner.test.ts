import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AbortError, InvalidArgumentError } from '../errors.js';
import type { HookCallback, HookInput, HookJSONOutput } from '../query/options.js';
import { buildHookInput } from './hook-inputs.js';
import { HookRunner } from './hook-runner.js';

const base = { session_id: 'session-1', transcript_path: '/t/session-1.jsonl', cwd: '/w', permission_mode: 'default' };
const preToolUse = (toolName: string): HookInput => buildHookInput('PreToolUse', base, { tool_name: toolName, tool_input: { command: 'ls' }, tool_use_id: 'toolu_1' });
const prompt: HookInput = buildHookInput('UserPromptSubmit', base, { prompt: 'hello' });
const stop: HookInput = buildHookInput('Stop', base, { stop_hook_active: false });
const signal = new AbortController().signal;

const answer = (output: HookJSONOutput): HookCallback => async () => output;
const decide = (permissionDecision: string, permissionDecisionReason?: string): HookCallback =>
  answer({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, ...(permissionDecisionReason === undefined ? {} : { permissionDecisionReason }) } });
const never: HookCallback = () => new Promise<HookJSONOutput>(() => undefined);

describe('HookRunner selection', () => {
  it('runs only the matchers that select the tool, and reports which events have hooks', async () => {
    const ran: string[] = [];
    const record = (name: string): HookCallback => async () => {
      ran.push(name);
      return {};
    };
    const runner = new HookRunner({
      PreToolUse: [
        { matcher: 'Bash', hooks: [record('bash')] },
        { matcher: 'Edit|Write', hooks: [record('edit')] },
        { matcher: 'mcp__.*', hooks: [record('mcp')] },
        { hooks: [record('all')] },
      ],
      Stop: [{ hooks: [] }],
    });
    await runner.run('PreToolUse', preToolUse('Bash'), { signal });
    expect(ran.sort()).toEqual(['all', 'bash']);
    ran.length = 0;
    await runner.run('PreToolUse', preToolUse('mcp__db__query'), { signal });
    expect(ran.sort()).toEqual(['all', 'mcp']);
    ran.length = 0;
    await runner.run('PreToolUse', preToolUse('Read'), { signal, matchValue: 'Write' });
    expect(ran.sort()).toEqual(['all', 'edit']);
    expect(runner.has('PreToolUse')).toBe(true);
    expect(runner.has('Stop')).toBe(false);
    expect(new HookRunner(undefined).has('PreToolUse')).toBe(false);
  });

  it('ignores matchers on events without a match value', async () => {
    let calls = 0;
    const runner = new HookRunner({ UserPromptSubmit: [{ matcher: 'Bash', hooks: [async () => ({ systemMessage: String(++calls) })] }] });
    expect((await runner.run('UserPromptSubmit', prompt, { signal })).systemMessages).toEqual(['1']);
  });

  it('passes the input, the tool use id and a signal to each callback', async () => {
    const seen: unknown[] = [];
    const runner = new HookRunner({
      PreToolUse: [{ hooks: [async (input, toolUseId, options) => (seen.push(input, toolUseId, options.signal instanceof AbortSignal), {})] }],
    });
    const input = preToolUse('Bash');
    await runner.run('PreToolUse', input, { signal, toolUseId: 'toolu_1' });
    expect(seen).toEqual([input, 'toolu_1', true]);
  });

  it('runs the callbacks of one event at once', async () => {
    const slow: HookCallback = async () => (await sleep(150), {});
    const runner = new HookRunner({ PreToolUse: [{ hooks: [slow, slow] }, { hooks: [slow] }] });
    const started = performance.now();
    await runner.run('PreToolUse', preToolUse('Bash'), { signal });
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('refuses invalid matchers, timeouts and hooks', () => {
    expect(() => new HookRunner({ PreToolUse: [{ matcher: '(', hooks: [] }] })).toThrow(InvalidArgumentError);
    expect(() => new HookRunner({ PreToolUse: [{ timeout: 0, hooks: [] }] })).toThrow(/timeout must be a positive number of seconds/);
    expect(() => new HookRunner({ PreToolUse: [{ hooks: ['x' as unknown as HookCallback] }] })).toThrow(/array of functions/);
    expect(() => new HookRunner({}, { defaultTimeoutMs: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('HookRunner folding', () => {
  it('lets deny beat allow, defer beat ask and ask beat allow, with the winner’s reason', async () => {
    const run = async (...hooks: HookCallback[]) => new HookRunner({ PreToolUse: [{ hooks }] }).run('PreToolUse', preToolUse('Bash'), { signal });
    expect(await run(decide('allow', 'fine'), decide('deny', 'dangerous'), decide('ask'))).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: 'dangerous',
    });
    expect(await run(decide('ask', 'check'), decide('defer', 'later'), decide('allow'))).toMatchObject({ permissionDecision: 'defer', permissionDecisionReason: 'later' });
    expect(await run(decide('allow'), decide('ask', 'check'))).toMatchObject({ permissionDecision: 'ask', permissionDecisionReason: 'check' });
    const none = await run(answer({}));
    expect(none.permissionDecision).toBeUndefined();
    expect(none.continue).toBe(true);
  });

  it('maps the deprecated decision approve/block to allow/deny on PreToolUse', async () => {
    const runner = new HookRunner({ PreToolUse: [{ hooks: [answer({ decision: 'approve' }), answer({ decision: 'block', reason: 'no rm' })] }] });
    expect(await runner.run('PreToolUse', preToolUse('Bash'), { signal })).toMatchObject({ permissionDecision: 'deny', permissionDecisionReason: 'no rm' });
  });

  it('keeps updatedInput and additionalContext, drops updatedInput when denied', async () => {
    const rewrite = answer({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', updatedInput: { command: 'ls -la' }, additionalContext: 'rewritten' } });
    const context = answer({ hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'second' }, systemMessage: 'note' });
    const allowed = await new HookRunner({ PreToolUse: [{ hooks: [rewrite, context] }] }).run('PreToolUse', preToolUse('Bash'), { signal });
    expect(allowed).toMatchObject({ permissionDecision: 'allow', updatedInput: { command: 'ls -la' }, additionalContext: ['rewritten', 'second'], systemMessages: ['note'] });
    const denied = await new HookRunner({ PreToolUse: [{ hooks: [rewrite, decide('deny')] }] }).run('PreToolUse', preToolUse('Bash'), { signal });
    expect(denied.updatedInput).toBeUndefined();
  });

  it('stops the turn on continue: false with the first stopReason', async () => {
    const runner = new HookRunner({
      PostToolUse: [{ hooks: [answer({ continue: false, stopReason: 'budget reached' }), answer({ continue: false, stopReason: 'other' })] }],
    });
    const input = buildHookInput('PostToolUse', base, { tool_name: 'Bash', tool_input: {}, tool_response: 'ok', tool_use_id: 't' });
    expect(await runner.run('PostToolUse', input, { signal })).toMatchObject({ continue: false, stopReason: 'budget reached' });
  });

  it('reports decision: block of Stop, UserPromptSubmit and PostToolUse as blockReason', async () => {
    const runner = new HookRunner({
      Stop: [{ hooks: [answer({ decision: 'block', reason: 'tests still fail' }), answer({ decision: 'block', reason: 'lint too' })] }],
      UserPromptSubmit: [{ hooks: [answer({ decision: 'block' })] }],
      PostToolUse: [{ hooks: [answer({ decision: 'block', reason: 'output leaked a secret' })] }],
    });
    expect((await runner.run('Stop', stop, { signal })).blockReason).toBe('tests still fail\nlint too');
    expect((await runner.run('UserPromptSubmit', prompt, { signal })).blockReason).toBe('Blocked by a UserPromptSubmit hook');
    const input = buildHookInput('PostToolUse', base, { tool_name: 'Bash', tool_input: {}, tool_response: 'ok', tool_use_id: 't' });
    expect((await runner.run('PostToolUse', input, { signal })).blockReason).toBe('output leaked a secret');
  });

  it('carries updatedToolOutput and updatedMCPToolOutput of PostToolUse', async () => {
    const runner = new HookRunner({
      PostToolUse: [{ hooks: [answer({ hookSpecificOutput: { hookEventName: 'PostToolUse', updatedToolOutput: 'redacted', updatedMCPToolOutput: { content: [] } } })] }],
    });
    const input = buildHookInput('PostToolUse', base, { tool_name: 'mcp__a__b', tool_input: {}, tool_response: 'secret', tool_use_id: 't' });
    expect(await runner.run('PostToolUse', input, { signal })).toMatchObject({ updatedToolOutput: 'redacted', updatedMCPToolOutput: { content: [] } });
  });

  it('does not wait on async answers for a decision', async () => {
    const runner = new HookRunner({ PreToolUse: [{ hooks: [answer({ async: true, asyncTimeout: 30 }), decide('allow')] }] });
    const outcome = await runner.run('PreToolUse', preToolUse('Bash'), { signal });
    expect(outcome).toMatchObject({ permissionDecision: 'allow', errors: [] });
  });
});

describe('HookRunner failures', () => {
  it('cuts a hook that never answers at its timeout and aborts its signal; onFailure continue lets the action go', async () => {
    let hookSignal: AbortSignal | undefined;
    const hanging: HookCallback = (_input, _id, options) => {
      hookSignal = options.signal;
      return new Promise<HookJSONOutput>(() => undefined);
    };
    const runner = new HookRunner({ PreToolUse: [{ timeout: 0.05, hooks: [hanging, decide('allow')] }] });
    const started = performance.now();
    const outcome = await runner.run('PreToolUse', preToolUse('Bash'), { signal });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hookSignal?.aborted).toBe(true);
    expect(outcome.errors).toEqual(['PreToolUse hook timed out after 0.05 s']);
    expect(outcome.permissionDecision).toBe('allow');
  });

  it('uses the runner default timeout when the matcher sets none', async () => {
    const outcome = await new HookRunner({ UserPromptSubmit: [{ hooks: [never] }] }, { defaultTimeoutMs: 30 }).run('UserPromptSubmit', prompt, { signal });
    expect(outcome.errors).toEqual(['UserPromptSubmit hook timed out after 0.03 s']);
    expect(outcome.blockReason).toBeUndefined();
  });

  it('blocks the guarded action when a failing hook has onFailure block, except on Stop', async () => {
    const throwing: HookCallback = async () => {
      throw new Error('policy service down');
    };
    const pre = await new HookRunner({ PreToolUse: [{ onFailure: 'block', hooks: [throwing, decide('allow')] }] }).run('PreToolUse', preToolUse('Bash'), { signal });
    expect(pre).toMatchObject({ permissionDecision: 'deny', permissionDecisionReason: 'PreToolUse hook failed: policy service down' });
    const promptOutcome = await new HookRunner({ UserPromptSubmit: [{ onFailure: 'block', timeout: 0.02, hooks: [never] }] }).run('UserPromptSubmit', prompt, { signal });
    expect(promptOutcome.blockReason).toBe('UserPromptSubmit hook timed out after 0.02 s');
    const stopOutcome = await new HookRunner({ Stop: [{ onFailure: 'block', hooks: [throwing] }] }).run('Stop', stop, { signal });
    expect(stopOutcome.blockReason).toBeUndefined();
    expect(stopOutcome.errors).toEqual(['Stop hook failed: policy service down']);
  });

  it('treats an answer that is not an object, or for another event, as a failure', async () => {
    const runner = new HookRunner({
      PreToolUse: [
        { hooks: [async () => 'yes' as unknown as HookJSONOutput] },
        { hooks: [answer({ hookSpecificOutput: { hookEventName: 'PostToolUse', permissionDecision: 'allow' } })] },
      ],
    });
    const outcome = await runner.run('PreToolUse', preToolUse('Bash'), { signal });
    expect(outcome.errors).toEqual(['PreToolUse hook returned "yes", not an object', 'PreToolUse hook returned hookSpecificOutput for PostToolUse']);
    expect(outcome.permissionDecision).toBeUndefined();
  });

  it('rejects with AbortError when the turn aborts, aborting the callbacks’ signals', async () => {
    const controller = new AbortController();
    let hookSignal: AbortSignal | undefined;
    const runner = new HookRunner({
      PreToolUse: [{ hooks: [(_input, _id, options) => ((hookSignal = options.signal), new Promise<HookJSONOutput>(() => undefined))] }],
    });
    const running = runner.run('PreToolUse', preToolUse('Bash'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toBeInstanceOf(AbortError);
    expect(hookSignal?.aborted).toBe(true);
    await expect(runner.run('PreToolUse', preToolUse('Bash'), { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });
});

describe('HookRunner events', () => {
  it('lists hook_started and hook_response system messages for each callback', async () => {
    const runner = new HookRunner({
      PreToolUse: [{ hooks: [decide('allow')] }, { timeout: 0.02, hooks: [never] }],
    });
    const { events } = await runner.run('PreToolUse', preToolUse('Bash'), { signal });
    expect(events.map((event) => event.subtype)).toEqual(['hook_started', 'hook_started', 'hook_response', 'hook_response']);
    const [firstStarted, , success, failure] = events;
    expect(firstStarted).toMatchObject({ type: 'system', hook_name: 'PreToolUse:Bash', hook_event: 'PreToolUse', session_id: 'session-1' });
    expect(success).toMatchObject({
      type: 'system',
      subtype: 'hook_response',
      hook_id: firstStarted?.hook_id,
      hook_name: 'PreToolUse:Bash',
      hook_event: 'PreToolUse',
      outcome: 'success',
      exit_code: 0,
      stdout: '',
      stderr: '',
      session_id: 'session-1',
    });
    expect(JSON.parse(String(success?.output))).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow' } });
    expect(failure).toMatchObject({ outcome: 'error', exit_code: 1, stderr: 'PreToolUse hook timed out after 0.02 s' });
    expect(new Set(events.map((event) => event.uuid)).size).toBe(4);
  });
});
