import type { Command } from '../command.js';
import { deleteCommand } from './delete.js';
import { exportCommand } from './export.js';
import { forkCommand } from './fork.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { listCommand } from './list.js';
import { migrateCommand } from './migrate.js';
import { renameCommand } from './rename.js';
import { showCommand } from './show.js';
import { tagCommand } from './tag.js';
import { tailCommand } from './tail.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  listCommand,
  showCommand,
  tailCommand,
  forkCommand,
  renameCommand,
  tagCommand,
  deleteCommand,
  exportCommand,
  importCommand,
  migrateCommand,
  inspectCommand,
];
