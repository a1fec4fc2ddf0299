import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * An id shaped like the real API's (`msg_01…`, `toolu_01…`, `req_01…`: prefix, `01`, 22 base62 characters).
 * Random rather than counted so ids stay unique across emulator instances and `reset()`: a transcript that
 * outlives one emulator must never see a repeated `tool_use` id, which validation rejects.
 */
export function generateId(prefix: 'msg' | 'toolu' | 'req'): string {
  const bytes = randomBytes(22);
  let suffix = '';
  for (const byte of bytes) suffix += BASE62[byte % BASE62.length];
  return `${prefix}_01${suffix}`;
}

/**
 * A stand-in thinking signature, derived from the thinking text so the same script always yields the same
 * signature. It is only an opaque base64 string: nothing verifies it, but it must be present.
 */
export function dummySignature(thinking: string): string {
  const digest = createHash('sha256').update(`emulator-thinking:${thinking}`).digest();
  return Buffer.concat([Buffer.from('EMU1'), digest]).toString('base64');
}
