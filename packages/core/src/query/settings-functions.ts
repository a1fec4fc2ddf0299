import { UnsupportedFeatureError } from '../errors.js';
import type { Settings } from './options.js';

/**
 * The official settings functions resolve and check Claude Code's settings files (`settings.json`
 * of the user, project, policy…). This SDK reads no settings files — a query is configured by its
 * options alone — so these exist with the official signatures and reject with
 * `UnsupportedFeatureError` (`feature` = the function), rather than return settings that would not
 * reflect the files. See docs/compat.md.
 */

/** The official resolved settings (typed loosely). */
export type ResolvedSettings = { effective: Settings; [field: string]: unknown };

/** Options of the official `resolveSettings()` (typed loosely). */
export type ResolveSettingsOptions = { cwd?: string; [field: string]: unknown };

/** The answer of the official `matchDeniedModels()`. */
export type DeniedModelsMatch = { denied: boolean[]; warnings: string[] };

function notRead(feature: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError(`${feature}() is not supported by @sdk/core: Claude Code settings files are not read (configure queries with options)`, feature);
}

/** Rejects with `UnsupportedFeatureError`: settings files are not read here. */
export function resolveSettings(_options?: ResolveSettingsOptions): Promise<ResolvedSettings> {
  return Promise.reject(notRead('resolveSettings'));
}

/** Throws `UnsupportedFeatureError`: settings files are not read here. */
export function filterEscalatingDefaultMode(_resolved: ResolvedSettings): Settings {
  throw notRead('filterEscalatingDefaultMode');
}

/** Rejects with `UnsupportedFeatureError`: the CLI's model deny lists come from settings, which are not read here. */
export function matchDeniedModels(_models: readonly string[], _deniedModels: readonly string[] | undefined): Promise<DeniedModelsMatch> {
  return Promise.reject(notRead('matchDeniedModels'));
}
