// Packs every published package as npm would publish it, installs each tarball into an empty
// folder with only its declared dependencies (workspace siblings as tarballs too), and imports
// every entry point: proves the `exports` map, the `files` whitelist and the dependency lists.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Manifest = {
  name: string;
  private?: boolean;
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

const packagesDirectory = resolve(import.meta.dirname, '../..');
const published = readdirSync(packagesDirectory)
  .map((directory) => ({ directory: join(packagesDirectory, directory), manifestPath: join(packagesDirectory, directory, 'package.json') }))
  .filter(({ manifestPath }) => existsSync(manifestPath))
  .map(({ directory, manifestPath }) => ({ directory, manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true && manifest.name.startsWith('@sdk/'));

/** Client libraries of one backend, which no other package may pull in. */
const BACKEND_CLIENTS = ['redis', 'write-file-atomic', 'pg', 'postgres'];

let workspace: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'sdk-pack-'));
  for (const { directory, manifest } of published) {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', workspace], { cwd: directory, encoding: 'utf8' });
    const tarball = output.trim().split('\n').pop()!.trim();
    tarballs.set(manifest.name, resolve(workspace, tarball));
  }
}, 120_000);

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('pack and install', () => {
  it('finds every published package', () => {
    expect(published.map(({ manifest }) => manifest.name).sort()).toEqual([
      '@sdk/cli',
      '@sdk/compat',
      '@sdk/core',
      '@sdk/store-file',
      '@sdk/store-memory',
      '@sdk/store-postgres',
      '@sdk/store-redis',
      '@sdk/testing',
    ]);
  });

  for (const { manifest } of published) {
    it(`${manifest.name} installs from its tarball with only its declared dependencies and imports`, () => {
      const project = mkdtempSync(join(workspace, 'project-'));
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));

      // Siblings reachable through dependencies or peers come from their tarballs, never the registry.
      const needed = new Set<string>([manifest.name]);
      const queue = [manifest.name];
      while (queue.length > 0) {
        const next = queue.pop();
        const current = published.find(({ manifest: candidate }) => candidate.name === next)!.manifest;
        for (const name of Object.keys({ ...current.dependencies, ...current.peerDependencies })) {
          if (name.startsWith('@sdk/') && !needed.has(name)) {
            needed.add(name);
            queue.push(name);
          }
        }
      }
      const extras = manifest.name === '@sdk/testing' ? ['vitest@^4'] : [];
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...[...needed].map((name) => tarballs.get(name)!), ...extras], {
        cwd: project,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });

      const installedManifest = JSON.parse(readFileSync(join(project, 'node_modules', manifest.name, 'package.json'), 'utf8')) as Manifest & { files?: string[] };
      expect(JSON.stringify(installedManifest)).not.toContain('workspace:');

      // Only the backend this package needs is installed: core never brings redis or write-file-atomic.
      const allowed = new Set(Object.keys(manifest.dependencies ?? {}));
      for (const client of BACKEND_CLIENTS) {
        const present = existsSync(join(project, 'node_modules', client));
        const declaredByInstalled = [...needed].some((name) =>
          Object.keys(published.find(({ manifest: candidate }) => candidate.name === name)!.manifest.dependencies ?? {}).includes(client),
        );
        expect(present, `${client} in ${manifest.name}'s install`).toBe(declaredByInstalled || allowed.has(client));
      }

      // No test files or sources leak into the tarball.
      const packedFiles = execFileSync('tar', ['-tzf', tarballs.get(manifest.name)!], { encoding: 'utf8' }).split('\n');
      expect(packedFiles.filter((file) => /\.test\.|\/src\//.test(file))).toEqual([]);

      const entryPoints = Object.keys(manifest.exports).filter((entry) => entry !== './package.json');
      const script = entryPoints
        .map((entry) => {
          const specifier = entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`;
          return `{ const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) throw new Error('no exports: ${specifier}'); console.log(${JSON.stringify(specifier)}, Object.keys(m).length); }`;
        })
        .join('\n');
      writeFileSync(join(project, 'smoke.mjs'), script);
      const output = execFileSync('node', ['smoke.mjs'], { cwd: project, encoding: 'utf8' });
      expect(output.trim().split('\n')).toHaveLength(entryPoints.length);
    }, 180_000);
  }
});
