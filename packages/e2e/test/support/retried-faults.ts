import { errorReply, textReply, toolUseReply, type EmulatorReply } from '@sdk/testing/emulator';

/** The API faults a turn retries: name, emulator reply, the HTTP status its `api_retry` reports. */
export const RETRIED_FAULTS: Array<[string, EmulatorReply, number | null]> = [
  ['connection reset', { type: 'fault', fault: 'connection-reset' }, null],
  ['stream cut mid-message', { type: 'fault', fault: 'stream-cut', afterEvents: 3, reply: textReply('this answer is cut short') }, null],
  ['stream cut mid tool_use', { type: 'fault', fault: 'stream-cut', afterEvents: 4, reply: toolUseReply('lookup', { word: 'x' }, { text: 'calling' }) }, null],
  ['SSE error event', { type: 'fault', fault: 'stream-error', afterEvents: 2 }, null],
  ['429 rate limit', errorReply(429), 429],
  ['529 overloaded', errorReply(529), 529],
  ['500 server error', errorReply(500), 500],
];
