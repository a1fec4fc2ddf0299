#!/usr/bin/env node
// One-time set-up shared by `npm test`, `npm run demo` and `npm run bench`: a fresh machine has only
// Node and npm. corepack cannot verify registry signatures here, so pnpm is installed with npm.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });

function hasPnpm() {
  try {
    const version = execSync('pnpm --version', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return Number(version.split('.')[0]) >= 10;
  } catch {
    return false;
  }
}

if (!hasPnpm()) {
  console.log('[bootstrap] installing pnpm@10 with npm');
  run('npm install --global pnpm@10');
}

const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI_UPDATE_LOCKFILE !== '1';
if (!existsSync(join(root, 'node_modules', '.modules.yaml')) || process.env.CI === 'true' || frozen) {
  run(`pnpm install ${frozen ? '--frozen-lockfile' : ''} --reporter=append-only`);
}
