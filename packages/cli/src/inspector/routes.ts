/**
 * The inspector's URL space, below the token segment (`/<token>/…`). Pages and the JSON API share
 * one shape, the API under `api/`:
 *
 *   /                                             projects          (API: api/projects)
 *   /projects/<key>                               a project's sessions
 *   /projects/<key>/search?q=<text>               search in the project's sessions
 *   /projects/<key>/sessions/<id>                 one session: tree, turns, subagents
 *   /projects/<key>/sessions/<id>/sub/<subpath>   a subagent (or other sub-) transcript
 */
export type Route =
  | { kind: 'projects' }
  | { kind: 'sessions'; projectKey: string }
  | { kind: 'search'; projectKey: string; query: string }
  | { kind: 'session'; projectKey: string; sessionId: string }
  | { kind: 'subkey'; projectKey: string; sessionId: string; subpath: string };

/** A route and whether the JSON API or the HTML page was asked for. */
export type ParsedRoute = { route: Route; api: boolean };

/** The route of the path below the token, or undefined for a path the inspector does not serve. */
export function parseRoute(segments: readonly string[], searchParams: URLSearchParams): ParsedRoute | undefined {
  const api = segments[0] === 'api';
  const rest = api ? segments.slice(1) : segments;
  const route = routeOf(rest, searchParams, api);
  return route && { route, api };
}

function routeOf(segments: readonly string[], searchParams: URLSearchParams, api: boolean): Route | undefined {
  const [first, projectKey, third, sessionId, fifth, ...subpath] = segments;
  if (first === undefined) return api ? undefined : { kind: 'projects' };
  if (first !== 'projects') return undefined;
  if (projectKey === undefined) return { kind: 'projects' };
  if (third === undefined) return { kind: 'sessions', projectKey };
  if (third === 'search' && sessionId === undefined) return { kind: 'search', projectKey, query: searchParams.get('q') ?? '' };
  if (third !== 'sessions' || sessionId === undefined) return undefined;
  if (fifth === undefined) return { kind: 'session', projectKey, sessionId };
  if (fifth !== 'sub' || subpath.length === 0) return undefined;
  return { kind: 'subkey', projectKey, sessionId, subpath: subpath.join('/') };
}

/** Absolute paths of the pages and API documents, each with the token. */
export type Links = {
  projects(): string;
  project(projectKey: string): string;
  search(projectKey: string, query?: string): string;
  session(projectKey: string, sessionId: string): string;
  subkey(projectKey: string, sessionId: string, subpath: string): string;
  /** The API document of a page's path. */
  api(pagePath: string): string;
};

/** The links of an inspector serving under `/<token>/`. */
export function linksFor(token: string): Links {
  const base = `/${token}`;
  const segment = encodeURIComponent;
  const links: Links = {
    projects: () => `${base}/`,
    project: (projectKey) => `${base}/projects/${segment(projectKey)}`,
    search: (projectKey, query) => `${links.project(projectKey)}/search${query === undefined ? '' : `?q=${segment(query)}`}`,
    session: (projectKey, sessionId) => `${links.project(projectKey)}/sessions/${segment(sessionId)}`,
    subkey: (projectKey, sessionId, subpath) => `${links.session(projectKey, sessionId)}/sub/${subpath.split('/').map(segment).join('/')}`,
    api: (pagePath) => (pagePath === links.projects() ? `${base}/api/projects` : `${base}/api${pagePath.slice(base.length)}`),
  };
  return links;
}
