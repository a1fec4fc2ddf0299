import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition, ToolOutcome } from '../tool-runner.js';
import { imageDimensions } from './image-dimensions.js';
import { decodeText } from './text-file.js';
import { optionalBoolean, optionalInteger, optionalString, requiredString } from './tool-input.js';
import { cwdNote, resolveToolPath } from './tool-paths.js';
import { errorCode, errorMessage, toolFailure, toolRejection } from './tool-result.js';

/** Limits of the Read tool. */
export type ReadToolOptions = {
  /** Lines returned when the call gives no `limit` (default 2000). */
  maxLines?: number;
  /** Longer lines are cut to this many characters (default 2000). */
  maxLineChars?: number;
  /** A whole-file read of a larger text file is refused unless `allow_large` or a line range is given (default 256 KB). */
  maxFileBytes?: number;
};

const DEFAULT_MAX_LINES = 2000;
const DEFAULT_MAX_LINE_CHARS = 2000;
const DEFAULT_MAX_FILE_BYTES = 256 * 1024;
/** Hard ceiling even with `allow_large`: the text has to fit into a model context. */
const LARGE_FILE_CEILING_BYTES = 10 * 1024 * 1024;
/** The API accepts images up to 5 MB of base64, about 3.75 MB of image bytes. */
const MAX_IMAGE_BYTES = 3_750_000;
/** PDFs go to the API as a document block; requests are limited to 32 MB. */
const MAX_PDF_BYTES = 20 * 1024 * 1024;

const IMAGE_TYPES = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
} as const;

/** Extensions the CLI refuses to show as text; extended with common archives, media and compiled code. */
const BINARY_EXTENSIONS = new Set(
  (
    '.bin .exe .dll .so .dylib .o .a .obj .lib .class .jar .war .pyc .pyo .wasm .node ' +
    '.zip .tar .gz .tgz .bz2 .xz .7z .rar .zst .lz4 .iso .dmg .deb .rpm ' +
    '.bmp .ico .tif .tiff .psd .heic .avif .mp3 .wav .flac .ogg .m4a .aac .mp4 .mov .avi .mkv .webm ' +
    '.ttf .otf .woff .woff2 .eot .sqlite .db .doc .docx .xls .xlsx .ppt .pptx .odt'
  ).split(' '),
);

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    file_path: { type: 'string', description: 'The absolute path to the file to read' },
    offset: {
      type: 'integer',
      minimum: 0,
      description: 'The line number to start reading from. Only provide if the file is too large to read at once',
    },
    limit: {
      type: 'integer',
      exclusiveMinimum: 0,
      description: 'The number of lines to read. Only provide if the file is too large to read at once.',
    },
    pages: {
      type: 'string',
      description: 'Page range for PDF files (e.g., "1-5", "3", "10-20"). Only applicable to PDF files. Maximum 20 pages per request.',
    },
    allow_large: {
      type: 'boolean',
      description:
        'Set to true to read a text file, or a line range of one, that is over the usual size limits, up to what still fits in your context. Only use this when you genuinely need all of it; otherwise read it in parts with offset and limit, or search it.',
    },
  },
  required: ['file_path'],
  additionalProperties: false,
};

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)}KB`;
}

function reminder(text: string): string {
  return `<system-reminder>${text}</system-reminder>`;
}

async function readImage(path: string, size: number, mediaType: (typeof IMAGE_TYPES)[keyof typeof IMAGE_TYPES]): Promise<ToolOutcome> {
  if (size > MAX_IMAGE_BYTES) {
    return toolFailure(`Image is too large (${kilobytes(size)}): the API accepts images up to ${kilobytes(MAX_IMAGE_BYTES)}. Resize it first, e.g. with a shell command.`);
  }
  const bytes = await readFile(path);
  const base64 = bytes.toString('base64');
  const dimensions = imageDimensions(bytes, mediaType);
  return {
    content: [{ type: 'image', source: { type: 'base64', media_type: mediaType, data: base64 } }],
    structured: {
      type: 'image',
      file: {
        base64,
        type: mediaType,
        originalSize: size,
        ...(dimensions === undefined
          ? {}
          : {
              dimensions: {
                originalWidth: dimensions.width,
                originalHeight: dimensions.height,
                displayWidth: dimensions.width,
                displayHeight: dimensions.height,
              },
            }),
      },
    },
  };
}

async function readPdf(path: string, size: number, pages: string | undefined): Promise<ToolOutcome> {
  if (pages !== undefined) {
    return toolRejection('The pages parameter is not supported: this Read tool sends a PDF whole. Omit pages, or extract the pages with a shell command.');
  }
  if (size > MAX_PDF_BYTES) return toolFailure(`PDF is too large (${kilobytes(size)}): at most ${kilobytes(MAX_PDF_BYTES)} can be sent to the model.`);
  const bytes = await readFile(path);
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return toolFailure(`File is not a valid PDF (missing %PDF- header): ${path}`);
  const base64 = bytes.toString('base64');
  return {
    content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: base64 } }],
    structured: { type: 'pdf', file: { filePath: path, base64, originalSize: size } },
  };
}

/** A line range of a file too large to load, streamed; also counts all lines. */
async function streamLineRange(path: string, startLine: number, count: number): Promise<{ selected: string[]; totalLines: number }> {
  const selected: string[] = [];
  let totalLines = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    totalLines += 1;
    if (totalLines >= startLine && selected.length < count) selected.push(line);
  }
  return { selected, totalLines };
}

async function readHead(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The built-in `Read` tool: a text file as numbered lines (`<n>\t<line>`, the CLI's format), an
 * image as an image block, a PDF as a document block.
 */
export function readTool(options: ReadToolOptions = {}): ToolDefinition {
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  /** The CLI's text result for a line range: `<n>\t<line>` lines, with notes after them. */
  function numberedText(path: string, startLine: number, selected: string[], totalLines: number, limit: number | undefined, notes: string[]): ToolOutcome {
    const structured = { type: 'text', file: { filePath: path, content: selected.join('\n'), numLines: selected.length, startLine, totalLines } };
    if (selected.length === 0) {
      return {
        content: reminder(`Warning: the file exists but is shorter than the provided offset (${startLine}). The file has ${totalLines} lines.`),
        structured,
      };
    }
    const numbered = selected.map((line, index) => {
      const shown = line.length > maxLineChars ? `${line.slice(0, maxLineChars)}... [line truncated, ${line.length} characters]` : line;
      return `${startLine + index}\t${shown}`;
    });
    const lastShown = startLine + selected.length - 1;
    const more =
      limit === undefined && lastShown < totalLines
        ? [reminder(`Showing lines ${startLine}-${lastShown} of ${totalLines}. Call Read with offset and limit to read the rest.`)]
        : [];
    return { content: [numbered.join('\n'), ...more, ...notes].join('\n\n'), structured };
  }

  async function readText(path: string, size: number, offset: number | undefined, limit: number | undefined, allowLarge: boolean): Promise<ToolOutcome> {
    const ranged = offset !== undefined || limit !== undefined;
    if (size > maxFileBytes && !ranged && !allowLarge) {
      return toolFailure(
        `File content (${kilobytes(size)}) exceeds maximum allowed size (${kilobytes(maxFileBytes)}). Use offset and limit parameters to read specific portions of the file, or search for specific content instead of reading the whole file. To read it anyway, call Read again with allow_large: true.`,
      );
    }
    // Line numbers are 1-based; offset 0 means the start, like offset 1.
    const startLine = Math.max(1, offset ?? 1);
    const count = limit ?? maxLines;
    if (size > LARGE_FILE_CEILING_BYTES && ranged) {
      const { selected, totalLines } = await streamLineRange(path, startLine, count);
      return numberedText(path, startLine, selected, totalLines, limit, []);
    }
    const bytes = size > LARGE_FILE_CEILING_BYTES ? await readHead(path, LARGE_FILE_CEILING_BYTES) : await readFile(path);
    const decoded = decodeText(bytes);
    const lines = decoded.text.split('\n');
    if (decoded.text === '') {
      return {
        content: reminder('Warning: the file exists but the contents are empty.'),
        structured: { type: 'text', file: { filePath: path, content: '', numLines: 1, startLine: 1, totalLines: 1 } },
      };
    }
    const notes: string[] = [];
    if (size > LARGE_FILE_CEILING_BYTES) notes.push(reminder(`Only the first ${kilobytes(LARGE_FILE_CEILING_BYTES)} of this file were read.`));
    if (decoded.hasNulBytes) {
      notes.push(
        '[This file has NUL bytes in its first 8 KB: binary data, UTF-16/UTF-32 without a byte-order mark, or text with embedded NULs. Edit and Write will refuse it: change it with a shell command that keeps its encoding.]',
      );
    }
    return numberedText(path, startLine, lines.slice(startLine - 1, startLine - 1 + count), lines.length, limit, notes);
  }

  return {
    name: 'Read',
    description:
      'Reads a file from the local filesystem. Text files come back as numbered lines (up to 2000 from the start unless offset and limit are given; long lines are cut). Images (PNG, JPEG, GIF, WebP) come back as images and PDFs as documents. Use an absolute path. Directories cannot be read: list them with Glob or Bash.',
    inputSchema: INPUT_SCHEMA,
    access: (input, cwd) => ({ kind: 'read', paths: typeof input.file_path === 'string' ? [resolveToolPath(input.file_path, cwd)] : [] }),
    async run(input, context) {
      let path: string;
      let offset: number | undefined;
      let limit: number | undefined;
      let pages: string | undefined;
      let allowLarge: boolean;
      try {
        path = resolveToolPath(requiredString(input, 'file_path'), context.cwd);
        offset = optionalInteger(input, 'offset', 0);
        limit = optionalInteger(input, 'limit', 1);
        pages = optionalString(input, 'pages');
        allowLarge = optionalBoolean(input, 'allow_large') ?? false;
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      const extension = extname(path).toLowerCase();
      try {
        const info = await stat(path);
        if (info.isDirectory()) return toolFailure(`EISDIR: ${path} is a directory, not a file. List a directory with Glob or Bash (ls).`);
        if (extension in IMAGE_TYPES) return await readImage(path, info.size, IMAGE_TYPES[extension as keyof typeof IMAGE_TYPES]);
        if (extension === '.pdf') return await readPdf(path, info.size, pages);
        if (BINARY_EXTENSIONS.has(extension)) {
          return toolRejection(
            `This tool cannot read binary files. The file appears to be a binary ${extension} file. Use a shell command or script that can read the format.`,
          );
        }
        return await readText(path, info.size, offset, limit, allowLarge);
      } catch (error) {
        if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return toolFailure(`File does not exist. ${cwdNote(context.cwd)}`);
        return toolFailure(errorMessage(error));
      }
    },
  };
}
