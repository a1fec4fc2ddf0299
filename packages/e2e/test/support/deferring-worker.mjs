// One turn in a fresh process for executor-deferred-approval.test.ts. DECISION says what this
// process's permission hook answers for the `deploy` tool: `defer` (ask a human later), `allow`
// or `deny`. PROMPT is the turn's prompt; empty continues a deferred call. The `deploy` tool
// writes its process id to DEPLOY_MARKER, proving which process ran it.
import { writeFileSync } from 'node:fs';
import { AgentExecutor, createToolRunner } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';

const { STORE_ROOT, EMULATOR_URL, PROJECT_KEY, SESSION_ID, MODEL, DECISION, PROMPT, DEPLOY_MARKER } = process.env;
const store = new FileSessionStore({ root: STORE_ROOT });
const tools = createToolRunner([
  {
    name: 'deploy',
    description: 'Deploys a service',
    inputSchema: { type: 'object', properties: { service: { type: 'string' } }, required: ['service'] },
    run: (input) => {
      writeFileSync(DEPLOY_MARKER, String(process.pid));
      return `deployed ${String(input.service)}`;
    },
  },
]);
const hooks = {
  async beforeTool({ toolUse, resumingDeferred }) {
    process.stderr.write(`decide ${toolUse.name} resuming=${resumingDeferred}\n`);
    if (DECISION === 'defer') return { behavior: 'defer', hookName: 'approval' };
    if (DECISION === 'deny') return { behavior: 'deny', message: 'A human said no.' };
    return { behavior: 'allow' };
  },
};
const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
const request = { session: { projectKey: PROJECT_KEY, sessionId: SESSION_ID }, model: MODEL, tools, hooks };
if (PROMPT) request.prompt = PROMPT;
const results = [];
for await (const message of executor.runTurn(request)) if (message.type === 'result') results.push(message);
process.stdout.write(`${JSON.stringify({ pid: process.pid, results })}\n`);
