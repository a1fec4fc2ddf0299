import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type * as Tls from 'node:tls';

/** The node modules a tunnel needs, loaded by the caller (lazily: most programs have no proxy). */
export type TunnelModules = { http: typeof Http; https: typeof Https; tls: typeof Tls };

/** `Proxy-Authorization` for a proxy URL with credentials (`http://user:secret@proxy:3128`). */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === '' && proxy.password === '') return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

/** The proxy's port, its scheme's default when the URL names none. */
function proxyPort(proxy: URL): number {
  return proxy.port === '' ? (proxy.protocol === 'https:' ? 443 : 80) : Number(proxy.port);
}

/**
 * A keep-alive `https.Agent` whose connections go through `proxy`: each new connection asks the
 * proxy to `CONNECT` to the target host and port, then speaks TLS with the target over that tunnel
 * (the proxy sees neither the request nor the key). How curl and the official CLI reach an https
 * API through `HTTPS_PROXY`.
 */
export function createTunnelAgent(proxy: URL, modules: TunnelModules, tlsOptions: Tls.ConnectionOptions = {}): HttpAgent {
  const agent = new modules.https.Agent({ keepAlive: true, ...tlsOptions });
  const connect = proxy.protocol === 'https:' ? modules.https.request : modules.http.request;
  // Node's Agent calls createConnection(options, callback) and waits for the callback when it
  // returns nothing: the tunnel is set up asynchronously.
  (agent as unknown as { createConnection: unknown }).createConnection = (
    options: Tls.ConnectionOptions & { host?: string; port?: number },
    callback: (error: Error | null, socket?: Socket) => void,
  ): undefined => {
    const host = options.host ?? 'localhost';
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${options.port ?? 443}`;
    const request = connect({
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxyPort(proxy),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(proxy) },
      agent: false,
    });
    request.once('connect', (response: IncomingMessage, socket: Socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        callback(new Error(`the proxy ${proxy.host} refused to tunnel to ${authority}: ${response.statusCode ?? 0} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      // An IP address is not a valid TLS server name: only host names are sent as SNI.
      const servername = options.servername ?? (isIP(host) === 0 ? host : undefined);
      const secure = modules.tls.connect({ ...options, socket, ...(servername === undefined ? {} : { servername }) });
      callback(null, secure);
    });
    request.once('error', (error: Error) => callback(error));
    request.end();
    return undefined;
  };
  return agent;
}
