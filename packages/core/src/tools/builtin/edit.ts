import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition } from '../tool-runner.js';
import { structuredPatch } from './structured-patch.js';
import { readTextFile, writeTextFile, type TextFile } from './text-file.js';
import { optionalBoolean, requiredString } from './tool-input.js';
import { cwdNote, resolveToolPath } from './tool-paths.js';
import { errorCode, errorMessage, toolFailure, toolRejection } from './tool-result.js';

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    file_path: { type: 'string', description: 'The absolute path to the file to modify' },
    old_string: { type: 'string', description: 'The text to replace' },
    new_string: { type: 'string', description: 'The text to replace it with (must be different from old_string)' },
    replace_all: { type: 'boolean', default: false, description: 'Replace all occurrences of old_string (default false)' },
  },
  required: ['file_path', 'old_string', 'new_string'],
  additionalProperties: false,
};

function countOccurrences(text: string, search: string): number {
  let count = 0;
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + search.length)) count += 1;
  return count;
}

async function readExisting(path: string): Promise<TextFile | null> {
  try {
    return await readTextFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The built-in `Edit` tool: replaces an exact string in a file, once (it must be unique) or
 * everywhere with `replace_all`. The file keeps its line endings, encoding and byte-order mark; an
 * empty `old_string` on a missing file creates it. No earlier Read is required (stateless executor).
 */
export function editTool(): ToolDefinition {
  return {
    name: 'Edit',
    description:
      'Replaces exact text in a file. old_string must match the file exactly (indentation included) and be unique unless replace_all is true; line endings are matched and kept whatever the file uses. An empty old_string creates a new file. Use an absolute path.',
    inputSchema: INPUT_SCHEMA,
    access: (input, cwd) => ({ kind: 'edit', paths: typeof input.file_path === 'string' ? [resolveToolPath(input.file_path, cwd)] : [] }),
    async run(input, context) {
      let path: string;
      let oldString: string;
      let newString: string;
      let replaceAll: boolean;
      try {
        path = resolveToolPath(requiredString(input, 'file_path'), context.cwd);
        oldString = requiredString(input, 'old_string');
        newString = requiredString(input, 'new_string');
        replaceAll = optionalBoolean(input, 'replace_all') ?? false;
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      if (oldString === newString) return toolRejection('No changes to make: old_string and new_string are exactly the same.');
      try {
        const file = await readExisting(path);
        if (file === null) {
          if (oldString !== '') return toolFailure(`File does not exist. ${cwdNote(context.cwd)}`);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, newString, 'utf8');
          return {
            content: `The file ${path} has been updated successfully.`,
            structured: {
              filePath: path,
              oldString,
              newString,
              originalFile: '',
              structuredPatch: structuredPatch('', newString),
              userModified: false,
              replaceAll,
            },
          };
        }
        if (file.hasNulBytes) {
          return toolRejection(`${path} has NUL bytes (binary data or a UTF-16/UTF-32 encoding without a byte-order mark): Edit refuses to change it. Use a shell command that keeps its encoding.`);
        }
        // The file's text has \n line endings here; so must the strings matched against it.
        const search = oldString.replaceAll('\r\n', '\n');
        const replacement = newString.replaceAll('\r\n', '\n');
        let updated: string;
        if (search === '') {
          if (file.text.trim() !== '') return toolRejection('Cannot create new file - file already exists.');
          updated = replacement;
        } else {
          const matches = countOccurrences(file.text, search);
          if (matches === 0) return toolRejection(`String to replace not found in file.\nString: ${oldString}`);
          if (matches > 1 && !replaceAll) {
            return toolRejection(
              `Found ${matches} matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true. To replace only one occurrence, please provide more context to uniquely identify the instance.\nString: ${oldString}`,
            );
          }
          // split/join and slicing, not String.replace: `$&` and friends in new_string must stay literal.
          if (replaceAll) updated = file.text.split(search).join(replacement);
          else {
            const at = file.text.indexOf(search);
            updated = file.text.slice(0, at) + replacement + file.text.slice(at + search.length);
          }
        }
        await writeTextFile(path, updated, file);
        return {
          content: replaceAll
            ? `The file ${path} has been updated. All occurrences were successfully replaced.`
            : `The file ${path} has been updated successfully.`,
          structured: {
            filePath: path,
            oldString,
            newString,
            originalFile: file.text,
            structuredPatch: structuredPatch(file.text, updated),
            userModified: false,
            replaceAll,
          },
        };
      } catch (error) {
        if (errorCode(error) === 'EISDIR') return toolFailure(`${path} is a directory: Edit needs a file path.`);
        return toolFailure(errorMessage(error));
      }
    },
  };
}
