import type { SDKCompactBoundaryMessage, SDKResultMessage } from '../messages.js';
import type { AgentExecutor } from './agent-executor.js';
import type { TurnRequest } from './turn-request.js';

/** What {@link compactSession} did. */
export type CompactSessionResult = {
  /** The boundary it recorded; `undefined` when the compaction failed (see `result.errors`). */
  boundary: SDKCompactBoundaryMessage | undefined;
  /** The turn's result: `success` with an empty `result`, or an error. */
  result: SDKResultMessage;
};

/**
 * Compacts a session now, as the `/compact` prompt does: one summary call, a boundary in the
 * transcript, no model turn. The next turn (on any worker) sends the summary and the kept last
 * answer instead of the whole history.
 */
export async function compactSession(
  executor: Pick<AgentExecutor, 'runTurn'>,
  request: Omit<TurnRequest, 'prompt'> & { instructions?: string },
): Promise<CompactSessionResult> {
  const { instructions, ...rest } = request;
  let boundary: SDKCompactBoundaryMessage | undefined;
  let result: SDKResultMessage | undefined;
  const prompt = instructions === undefined || instructions.trim() === '' ? '/compact' : `/compact ${instructions.trim()}`;
  for await (const message of executor.runTurn({ ...rest, prompt })) {
    if (message.type === 'system' && message.subtype === 'compact_boundary') boundary = message;
    if (message.type === 'result') result = message;
  }
  if (result === undefined) throw new Error('compactSession: the turn ended without a result');
  return { boundary, result };
}
