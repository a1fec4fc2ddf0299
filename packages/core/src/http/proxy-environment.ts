import { InvalidArgumentError } from '../errors.js';

/**
 * Which proxy a request to `target` goes through, from the environment variables curl, the official
 * CLI and most HTTP tools read: `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http ones (each also
 * in lower case, which wins when both are set, as in curl), unless `NO_PROXY` names the host.
 * `undefined`: connect directly.
 *
 * `NO_PROXY` is a comma- or space-separated list: `*` (no proxy at all), host names (`example.com`
 * also covers `api.example.com`; a leading `.` or `*.` means the same), IP addresses, and any of
 * these with `:port` to match that port only.
 */
export function proxyFor(target: URL, environment: Readonly<Record<string, string | undefined>>): URL | undefined {
  const variable = target.protocol === 'https:' ? 'https_proxy' : target.protocol === 'http:' ? 'http_proxy' : undefined;
  if (variable === undefined) return undefined;
  const value = nonEmpty(environment[variable]) ?? nonEmpty(environment[variable.toUpperCase()]);
  if (value === undefined) return undefined;
  if (bypassed(target, nonEmpty(environment.no_proxy) ?? nonEmpty(environment.NO_PROXY) ?? '')) return undefined;
  // The variable the value came from, for error messages.
  const name = nonEmpty(environment[variable]) !== undefined ? variable : variable.toUpperCase();
  let proxy: URL;
  try {
    // A proxy given without a scheme (`proxy.corp:3128`) is an HTTP proxy, as curl reads it.
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new InvalidArgumentError(`${name}: not a proxy URL`, `env.${name}`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new InvalidArgumentError(`${name}: only http:// and https:// proxies are supported, not ${proxy.protocol}//`, `env.${name}`);
  }
  return proxy;
}

function bypassed(target: URL, noProxy: string): boolean {
  const host = hostOf(target);
  const port = target.port === '' ? (target.protocol === 'https:' ? '443' : '80') : target.port;
  for (const raw of noProxy.split(/[\s,]+/)) {
    const rule = raw.trim().toLowerCase();
    if (rule === '') continue;
    if (rule === '*') return true;
    const [ruleHost, rulePort] = splitPort(rule);
    if (rulePort !== undefined && rulePort !== port) continue;
    const suffix = ruleHost.replace(/^\*?\./, '');
    if (host === suffix || host.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

/** The host without IPv6 brackets, lower case. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** `host:port`, `[v6]:port`, `host` or a bare IPv6 address, as [host, port?]. */
function splitPort(rule: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rule);
  if (bracketed !== null) return [bracketed[1]!, bracketed[2]];
  const colons = rule.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = rule.split(':') as [string, string];
    return [host, port];
  }
  return [rule, undefined];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
