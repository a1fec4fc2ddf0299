import type { SessionStoreEntry } from '../store/session-store.js';
import { chainEntry, type EntryContext } from './entries.js';

/**
 * The entries a compaction writes, in the CLI's format (transcript-format.md §8, checked against
 * CLI 2.1.332): a `compact_boundary` system entry that starts a new chain (`parentUuid: null`,
 * `logicalParentUuid` = the old leaf) and names the kept messages, then the summary as a user
 * entry. A manual `/compact` adds the CLI's three command entries. Nothing is deleted: the old
 * entries stay above the boundary, and loaders stop at it.
 */

/** Text of the boundary entry. */
export const COMPACT_BOUNDARY_CONTENT = 'Conversation compacted';

/** The kept messages of a compaction: a chain `headUuid..tailUuid` of the old conversation. */
export type PreservedSegment = { headUuid: string; tailUuid: string; uuids: string[] };

/** The compaction's bookkeeping, stored on the boundary. */
export type CompactionRecord = {
  trigger: 'manual' | 'auto';
  preTokens: number;
  postTokens: number;
  durationMs: number;
};

/** The `compact_boundary` entry. */
export function compactBoundaryEntry(
  context: EntryContext,
  options: { uuid: string; logicalParentUuid: string | null; summaryUuid: string; record: CompactionRecord; preserved: PreservedSegment | undefined },
): SessionStoreEntry {
  const metadata: Record<string, unknown> = { trigger: options.record.trigger, preTokens: options.record.preTokens, durationMs: options.record.durationMs };
  if (options.preserved !== undefined) {
    metadata.preservedSegment = { headUuid: options.preserved.headUuid, anchorUuid: options.summaryUuid, tailUuid: options.preserved.tailUuid };
    metadata.preservedMessages = { anchorUuid: options.summaryUuid, uuids: options.preserved.uuids, allUuids: options.preserved.uuids };
  }
  metadata.postTokens = options.record.postTokens;
  return {
    ...chainEntry(context, 'system', options.uuid, null),
    logicalParentUuid: options.logicalParentUuid,
    subtype: 'compact_boundary',
    content: COMPACT_BOUNDARY_CONTENT,
    isMeta: false,
    level: 'info',
    compactMetadata: metadata,
  };
}

/** The text the model sees in place of the summarized conversation. */
export function compactSummaryText(summary: string): string {
  return [
    'This session is being continued from an earlier conversation that no longer fits in the context window. The summary below covers its earlier part.',
    '',
    'Summary:',
    summary,
    '',
    'Continue from where the conversation left off; do not ask the user to repeat anything and do not recap the summary.',
    '',
    'The messages after this summary are the most recent ones from before the compaction, kept verbatim.',
  ].join('\n');
}

/** The summary entry (`isCompactSummary`), the first entry after the boundary. */
export function compactSummaryEntry(context: EntryContext, options: { uuid: string; boundaryUuid: string; summary: string; promptId: string }): SessionStoreEntry {
  return {
    ...chainEntry(context, 'user', options.uuid, options.boundaryUuid),
    promptId: options.promptId,
    message: { role: 'user', content: compactSummaryText(options.summary) },
    isVisibleInTranscriptOnly: true,
    isCompactSummary: true,
  };
}

/** The caveat the CLI puts before a local command's record (a meta entry). */
export const LOCAL_COMMAND_CAVEAT =
  "<local-command-caveat>The command below was run directly in Claude Code, not sent to you as a request, and its output goes straight to the user. It's recorded here as context for later messages.</local-command-caveat>";

/** The three entries that record a manual `/compact`: caveat, command, output (the CLI's). */
export function compactCommandEntries(
  context: EntryContext,
  options: { uuids: readonly [string, string, string]; parentUuid: string; args: string; promptId: string },
): SessionStoreEntry[] {
  const [caveat, command, output] = options.uuids;
  return [
    { ...chainEntry(context, 'user', caveat, options.parentUuid), promptId: options.promptId, message: { role: 'user', content: LOCAL_COMMAND_CAVEAT }, isMeta: true },
    {
      ...chainEntry(context, 'user', command, caveat),
      promptId: options.promptId,
      message: { role: 'user', content: `<command-name>/compact</command-name>\n            <command-message>compact</command-message>\n            <command-args>${options.args}</command-args>` },
    },
    { ...chainEntry(context, 'user', output, command), promptId: options.promptId, message: { role: 'user', content: '<local-command-stdout>Compacted </local-command-stdout>' } },
  ];
}
