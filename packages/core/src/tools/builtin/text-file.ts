import { readFile, writeFile } from 'node:fs/promises';

/** A text file decoded for editing, with what is needed to write it back the way it was. */
export type TextFile = {
  /** The content with `\r\n` turned into `\n`. */
  text: string;
  /** The file's dominant line ending, restored on write. */
  lineEnding: '\n' | '\r\n';
  encoding: 'utf8' | 'utf16le';
  /** The file started with a byte-order mark, restored on write. */
  bom: boolean;
  /** NUL bytes in the first 8 KB: binary data or an encoding without a byte-order mark. */
  hasNulBytes: boolean;
};

const NUL_SCAN_BYTES = 8192;

/** Decodes file bytes: UTF-16LE when the byte-order mark says so, else UTF-8. */
export function decodeText(bytes: Buffer): TextFile {
  const utf16 = bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe;
  const utf8Bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const raw = utf16 ? bytes.subarray(2).toString('utf16le') : bytes.subarray(utf8Bom ? 3 : 0).toString('utf8');
  const crlf = (raw.match(/\r\n/g) ?? []).length;
  const lf = (raw.match(/\n/g) ?? []).length;
  return {
    text: raw.replaceAll('\r\n', '\n'),
    lineEnding: crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n',
    encoding: utf16 ? 'utf16le' : 'utf8',
    bom: utf16 || utf8Bom,
    hasNulBytes: !utf16 && bytes.subarray(0, NUL_SCAN_BYTES).includes(0),
  };
}

export async function readTextFile(path: string): Promise<TextFile> {
  return decodeText(await readFile(path));
}

/** Writes `text` (with `\n` line endings) in the line ending, encoding and byte-order mark of `like`. */
export async function writeTextFile(path: string, text: string, like: Omit<TextFile, 'text' | 'hasNulBytes'>): Promise<void> {
  const body = like.lineEnding === '\r\n' ? text.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n') : text;
  const bytes = Buffer.from(body, like.encoding);
  const bom = like.bom ? (like.encoding === 'utf16le' ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xef, 0xbb, 0xbf])) : Buffer.alloc(0);
  await writeFile(path, Buffer.concat([bom, bytes]));
}
