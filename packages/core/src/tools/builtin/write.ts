import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition } from '../tool-runner.js';
import { structuredPatch } from './structured-patch.js';
import { decodeText } from './text-file.js';
import { requiredString } from './tool-input.js';
import { resolveToolPath } from './tool-paths.js';
import { errorCode, errorMessage, toolFailure, toolRejection } from './tool-result.js';

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    file_path: { type: 'string', description: 'The absolute path to the file to write (must be absolute, not relative)' },
    content: { type: 'string', description: 'The content to write to the file' },
  },
  required: ['file_path', 'content'],
  additionalProperties: false,
};

/** The current text of a file, `null` when it does not exist. */
async function existingText(path: string): Promise<{ text: string; hasNulBytes: boolean } | null> {
  try {
    const decoded = decodeText(await readFile(path));
    return { text: decoded.text, hasNulBytes: decoded.hasNulBytes };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The built-in `Write` tool: creates or overwrites a file with the given content, creating missing
 * parent directories. Unlike the CLI it does not require an earlier Read of the file (the executor
 * keeps no per-session read state).
 */
export function writeTool(): ToolDefinition {
  return {
    name: 'Write',
    description:
      'Writes a file to the local filesystem, replacing it if it exists and creating missing parent directories. Use an absolute path. Prefer Edit for changing part of an existing file.',
    inputSchema: INPUT_SCHEMA,
    access: (input, cwd) => ({ kind: 'edit', paths: typeof input.file_path === 'string' ? [resolveToolPath(input.file_path, cwd)] : [] }),
    async run(input, context) {
      let path: string;
      let content: string;
      try {
        path = resolveToolPath(requiredString(input, 'file_path'), context.cwd);
        content = requiredString(input, 'content');
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      try {
        const original = await existingText(path);
        if (original?.hasNulBytes === true) {
          return toolRejection(`${path} has NUL bytes (binary data or a UTF-16/UTF-32 encoding without a byte-order mark): Write refuses to replace it. Use a shell command.`);
        }
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content, 'utf8');
        if (original === null) {
          return {
            content: `File created successfully at: ${path}`,
            structured: { type: 'create', filePath: path, content, structuredPatch: [], originalFile: null, userModified: false },
          };
        }
        return {
          content: `The file ${path} has been updated successfully.`,
          structured: {
            type: 'update',
            filePath: path,
            content,
            structuredPatch: structuredPatch(original.text, content.replaceAll('\r\n', '\n')),
            originalFile: original.text,
            userModified: false,
          },
        };
      } catch (error) {
        if (errorCode(error) === 'EISDIR') return toolFailure(`${path} is a directory: Write needs a file path.`);
        return toolFailure(errorMessage(error));
      }
    },
  };
}
