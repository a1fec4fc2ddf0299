import { open } from 'node:fs/promises';
import { constants, mkdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SessionStoreError } from '@sdk/core/store';
import type { SessionKey, SessionRef } from '@sdk/core/store';
import { errorCode, toStoreError } from './fs-errors.js';

/** Name of the per-project folder that holds this store's bookkeeping, invisible to the official SDK. */
export const BOOKKEEPING_FOLDER = '.sdk';

/** How many projects and sessions {@link StoreLayout} keeps the joined paths of (each). */
const MAX_REMEMBERED_PATHS = 256;

type ProjectPaths = { project: string; bookkeeping: string };
type SessionPaths = { transcript: string; session: string; meta: string; lock: string; lease: string; expiry: string };

/**
 * Where everything lives, and the guard that keeps every path inside the root.
 *
 * Paths are only ever built from validated key parts, so they cannot contain `..`; what remains is
 * a symbolic link planted somewhere below the root. Before a directory is read or written, its real
 * path is checked to be inside the root's real path, and files are opened with `O_NOFOLLOW`.
 *
 * The checks use synchronous calls: `realpath` and `mkdir` of an existing folder take microseconds,
 * less than one thread-pool round trip of the asynchronous API, and every operation makes them.
 */
export class StoreLayout {
  /** Absolute root (`CLAUDE_CONFIG_DIR` or `~/.claude` by default). */
  readonly root: string;
  readonly projects: string;
  private realRoot: string | undefined;
  private readonly projectPathsByKey = new Map<string, ProjectPaths>();
  private readonly sessionPathsByKey = new Map<string, Map<string, SessionPaths>>();
  private rememberedSessions = 0;

  constructor(root: string) {
    this.root = resolve(root);
    this.projects = join(this.root, 'projects');
  }

  projectDirectory(projectKey: string): string {
    return this.projectPaths(projectKey).project;
  }

  /** The transcript file of a key: `<sessionId>.jsonl`, or `<sessionId>/<subpath>.jsonl`. */
  transcriptFile(key: SessionKey): string {
    if (key.subpath === undefined) return this.sessionPaths(key).transcript;
    return join(this.projectDirectory(key.projectKey), key.sessionId, `${key.subpath}.jsonl`);
  }

  /** The folder holding a key's transcript file (`dirname` of {@link StoreLayout.transcriptFile}). */
  transcriptDirectory(key: SessionKey): string {
    return key.subpath === undefined ? this.projectDirectory(key.projectKey) : dirname(this.transcriptFile(key));
  }

  /** The folder of a session's sub-transcripts (`<sessionId>/`), shared with the official SDK. */
  sessionDirectory(ref: SessionRef): string {
    return this.sessionPaths(ref).session;
  }

  bookkeepingDirectory(projectKey: string): string {
    return this.projectPaths(projectKey).bookkeeping;
  }

  /** Summary and length-index cache: rebuilt from the transcript whenever it is missing or stale. */
  metaFile(ref: SessionRef): string {
    return this.sessionPaths(ref).meta;
  }

  lockFile(ref: SessionRef): string {
    return this.sessionPaths(ref).lock;
  }

  leaseFile(ref: SessionRef): string {
    return this.sessionPaths(ref).lease;
  }

  expiryFile(ref: SessionRef): string {
    return this.sessionPaths(ref).expiry;
  }

  /**
   * The paths of a project, joined once: every operation asks for several of them, several
   * operations a turn. Bounded: a store serving many projects joins again after a reset.
   */
  private projectPaths(projectKey: string): ProjectPaths {
    let paths = this.projectPathsByKey.get(projectKey);
    if (paths === undefined) {
      if (this.projectPathsByKey.size >= MAX_REMEMBERED_PATHS) this.projectPathsByKey.clear();
      const project = join(this.projects, projectKey);
      paths = { project, bookkeeping: join(project, BOOKKEEPING_FOLDER) };
      this.projectPathsByKey.set(projectKey, paths);
    }
    return paths;
  }

  /** The paths of a session, joined once (see {@link StoreLayout.projectPaths}). */
  private sessionPaths(ref: SessionRef): SessionPaths {
    // By project, then session: no key string is built (and hashed) per lookup.
    let sessions = this.sessionPathsByKey.get(ref.projectKey);
    let paths = sessions?.get(ref.sessionId);
    if (paths === undefined) {
      if (this.rememberedSessions >= MAX_REMEMBERED_PATHS) {
        this.sessionPathsByKey.clear();
        this.rememberedSessions = 0;
        sessions = undefined;
      }
      if (sessions === undefined) {
        sessions = new Map();
        this.sessionPathsByKey.set(ref.projectKey, sessions);
      }
      this.rememberedSessions += 1;
      const { project, bookkeeping } = this.projectPaths(ref.projectKey);
      const { sessionId } = ref;
      paths = {
        transcript: join(project, `${sessionId}.jsonl`),
        session: join(project, sessionId),
        meta: join(bookkeeping, `${sessionId}.meta.json`),
        lock: join(bookkeeping, `${sessionId}.lock`),
        lease: join(bookkeeping, `${sessionId}.lease.json`),
        expiry: join(bookkeeping, `${sessionId}.expires`),
      };
      sessions.set(sessionId, paths);
    }
    return paths;
  }

  /**
   * Checks that an existing directory resolves inside the root. Returns false when it does not
   * exist (nothing to read there), throws when a symbolic link leads outside.
   */
  async existingDirectory(directory: string): Promise<boolean> {
    const realRoot = await this.resolveRoot(false);
    if (realRoot === undefined) return false;
    let real: string;
    try {
      real = realpathSync.native(directory);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw toStoreError(error, 'resolve', directory);
    }
    this.assertInside(realRoot, real, directory);
    return true;
  }

  /**
   * Creates `directory` and its missing parents below the root (mode 0700), one level at a time so
   * that no `mkdir` ever runs under a symbolic link that leaves the root. With `durable`, the
   * parent of each created folder is fsynced so the new name survives a crash.
   */
  async ensureDirectory(directory: string, durable: boolean): Promise<void> {
    const realRoot = await this.resolveRoot(true);
    if (realRoot === undefined) throw new SessionStoreError(`Cannot create the store root ${this.root}`);
    try {
      this.assertInside(realRoot, realpathSync.native(directory), directory);
      return;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw toStoreError(error, 'resolve', directory);
    }
    let current = realRoot;
    for (const segment of relative(this.root, directory).split(sep)) {
      const next = join(current, segment);
      let created = false;
      try {
        mkdirSync(next, { mode: 0o700 });
        created = true;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw toStoreError(error, 'create the directory', next);
        let real: string;
        try {
          real = realpathSync.native(next);
        } catch (cause) {
          throw toStoreError(cause, 'resolve', next);
        }
        this.assertInside(realRoot, real, next);
        current = real;
      }
      if (created) {
        if (durable) await syncDirectory(current);
        current = next;
      }
    }
  }

  private async resolveRoot(create: boolean): Promise<string | undefined> {
    if (this.realRoot !== undefined) return this.realRoot;
    if (create) {
      try {
        mkdirSync(this.root, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw toStoreError(error, 'create the store root', this.root);
      }
    }
    try {
      this.realRoot = realpathSync.native(this.root);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw toStoreError(error, 'resolve the store root', this.root);
    }
    return this.realRoot;
  }

  private assertInside(realRoot: string, real: string, requested: string): void {
    const inside = relative(realRoot, real);
    if (inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside))) return;
    throw new SessionStoreError(
      `Refused ${requested}: it resolves to ${real}, outside the store root ${realRoot} (a symbolic link leaves the root)`,
    );
  }
}

/** Makes a directory entry change (a created, renamed or linked name) durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
