import { query } from '@sdk/compat';
// The program, written against the official API. src/official.ts and src/compat.ts are the same
// file except for this import line (main.ts checks it): that is the whole migration.
// It asks a question, then resumes the same session with a follow-up, as an app would across two
// requests.

/** Runs the two turns and returns what happened: the message kinds and each result. */
export async function program(env: Record<string, string | undefined>): Promise<{ kinds: string[]; results: string[] }> {
  const kinds: string[] = [];
  const results: string[] = [];
  let sessionId: string | undefined;
  for await (const message of query({ prompt: 'Remember the word apple.', options: { model: 'claude-sonnet-4-6', env, cwd: env.HOME! } })) {
    kinds.push('subtype' in message ? `${message.type}/${message.subtype}` : message.type);
    if (message.type === 'result') {
      sessionId = message.session_id;
      results.push(message.subtype === 'success' ? message.result : message.subtype);
    }
  }
  // `resume`: the next turn continues the stored session (in a real app, maybe on another server).
  for await (const message of query({ prompt: 'Which word?', options: { model: 'claude-sonnet-4-6', env, cwd: env.HOME!, resume: sessionId! } })) {
    kinds.push('subtype' in message ? `${message.type}/${message.subtype}` : message.type);
    if (message.type === 'result') results.push(message.subtype === 'success' ? message.result : message.subtype);
  }
  return { kinds, results };
}
