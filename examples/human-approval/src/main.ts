// A human approval decided on another worker. Process 1 runs a turn; the model wants to call
// `deploy`; the permission hook DEFERS the call (a human must decide) and the process exits. The
// pending call waits in the transcript. Later, process 2 (any worker: here a fresh process) resumes
// the session with the human's decision; the call runs and the model continues from its result,
// without being asked again.
//
// `tsx src/main.ts` plays both sides: it starts the two processes one after the other
// (`tsx src/main.ts ask <sessionId>`, then `tsx src/main.ts decide <sessionId> approve`).
// Real Claude when ANTHROPIC_API_KEY is set, else the project's local Messages API emulator.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AgentExecutor, createToolRunner, type SDKResultMessage, type TurnHooks, type TurnRequest } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { startMessagesEmulator, textReply, toolUseReply } from '@sdk/testing/emulator';

const [role, sessionId, decision] = process.argv.slice(2).filter((arg) => arg !== '--smoke');
if (role === 'ask' || role === 'decide') await runTurn(role, sessionId!, decision);
else await orchestrate(process.argv.includes('--smoke'));

/** One turn in this process: `ask` defers the deploy call, `decide` applies the human's decision. */
async function runTurn(role: 'ask' | 'decide', sessionId: string, decision?: string): Promise<void> {
  const store = new FileSessionStore({ root: process.env.STORE_ROOT! });
  const tools = createToolRunner([
    {
      name: 'deploy',
      description: 'Deploys a service to production.',
      inputSchema: { type: 'object', properties: { service: { type: 'string' } }, required: ['service'] },
      run: (input) => `deployed ${String(input.service)} (by process ${process.pid})`,
    },
  ]);
  // The permission hook: called before every tool call of the turn.
  const hooks: TurnHooks = {
    async beforeTool({ toolUse }) {
      if (role === 'ask') return { behavior: 'defer', hookName: 'human-approval' }; // nobody has decided yet
      if (decision === 'approve') return { behavior: 'allow' };
      return { behavior: 'deny', message: `A human refused ${toolUse.name}.` };
    },
  };
  const emulatorUrl = process.env.EMULATOR_URL;
  const executor = new AgentExecutor({
    store,
    clientOptions: emulatorUrl ? { baseURL: emulatorUrl, apiKey: 'emulator' } : { apiKey: process.env.ANTHROPIC_API_KEY! },
  });
  const request: TurnRequest = { session: { projectKey: 'approvals', sessionId }, model: 'claude-sonnet-4-6', tools, hooks, maxTokens: 1024 };
  // `ask` brings the prompt; `decide` has none: the turn resumes the pending call first.
  if (role === 'ask') request.prompt = 'Deploy the api service.';

  for await (const message of executor.runTurn(request)) {
    if (message.type === 'user' && message.tool_use_result !== undefined) console.log(`[pid ${process.pid}] tool result: ${JSON.stringify(message.tool_use_result)}`);
    if (message.type === 'result') report(message);
  }
}

function report(result: SDKResultMessage): void {
  if (result.subtype === 'success' && result.deferred_tool_use) {
    const call = result.deferred_tool_use;
    console.log(`[pid ${process.pid}] waiting for a human: ${call.name}(${JSON.stringify(call.input)}) [${call.id}]`);
  } else {
    console.log(`[pid ${process.pid}] ${result.subtype} (${result.terminal_reason ?? ''}): ${result.subtype === 'success' ? result.result : ''}`);
  }
}

/** Runs `ask`, then `decide … approve`, each in a fresh process sharing only the store folder. */
async function orchestrate(smoke: boolean): Promise<void> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', STORE_ROOT: mkdtempSync(join(tmpdir(), 'human-approval-')) };
  const emulator = smoke || !process.env.ANTHROPIC_API_KEY ? await startMessagesEmulator() : undefined;
  if (emulator) {
    console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
    env.EMULATOR_URL = emulator.url;
    // The model's two replies: first it calls deploy; after the tool result, it reports.
    emulator.enqueue(toolUseReply('deploy', { service: 'api' }), textReply('The api service is deployed.'));
  } else {
    env.ANTHROPIC_API_KEY = process.env.ANTHROPIC_API_KEY!;
  }

  const self = fileURLToPath(import.meta.url);
  // process.execArgv carries tsx's loader, so the children run TypeScript too.
  const run = async (...args: string[]): Promise<string> => {
    const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, self, ...args], { env, timeout: 60_000 });
    process.stdout.write(stdout);
    return stdout;
  };

  const id = randomUUID();
  console.log(`\n$ tsx src/main.ts ask ${id}`);
  const asked = await run('ask', id);
  console.log(`\n… a human clicks "approve" in your UI; any worker picks up the decision …\n$ tsx src/main.ts decide ${id} approve`);
  const decided = await run('decide', id, 'approve');

  await emulator?.close();
  rmSync(env.STORE_ROOT!, { recursive: true, force: true });
  if (smoke) {
    const pid = (output: string): string | undefined => /\[pid (\d+)\]/.exec(output)?.[1];
    const ok =
      asked.includes('waiting for a human: deploy({"service":"api"})') &&
      decided.includes('tool result: "deployed api') &&
      decided.includes('success (completed): The api service is deployed.') &&
      pid(asked) !== pid(decided); // two processes
    if (!ok) {
      console.error('smoke run FAILED');
      process.exitCode = 1;
    }
  }
}
