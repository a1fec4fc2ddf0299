import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpClientModules } from './mcp-sdk-loader.js';

/** What an in-process server must offer: `McpServer` (and the low-level `Server`) do. */
export type InProcessServer = {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
  isConnected?(): boolean;
};

type Link = {
  users: number;
  client: Promise<Client>;
  closing?: Promise<void>;
};

/*
 * An `McpServer` serves one transport at a time, yet one `createSdkMcpServer()` result is meant to
 * be reused by many queries, sequential or concurrent. So each instance gets one in-memory link
 * and one client, shared by every connection set that uses it and closed when the last lets go;
 * the next query then links it afresh. JSON-RPC ids keep concurrent calls apart.
 */
const links = new WeakMap<object, Link>();

/** A client linked to an in-process server; `release` once done with it (idempotent). */
export type InProcessClient = { client: Client; release(): Promise<void> };

function releaser(instance: InProcessServer, link: Link): () => Promise<void> {
  let released: Promise<void> | undefined;
  return () => {
    released ??= (async () => {
      link.users -= 1;
      if (link.users > 0) return;
      link.closing = (async () => {
        const client = await link.client.catch(() => undefined);
        // A link that never came up holds nothing (and the server may be someone else's connection).
        if (client === undefined) return;
        await client.close().catch(() => undefined);
        // Closing the client closes the linked server end; this also covers a half-closed link.
        await instance.close().catch(() => undefined);
      })().finally(() => {
        if (links.get(instance) === link) links.delete(instance);
      });
      await link.closing;
    })();
    return released;
  };
}

async function linkClient(modules: McpClientModules, instance: InProcessServer, clientInfo: { name: string; version: string }): Promise<Client> {
  if (instance.isConnected?.() === true) {
    throw new Error('the McpServer is already connected to another transport (an MCP server serves one transport at a time); close it or create another for this query');
  }
  const [clientTransport, serverTransport] = modules.InMemoryTransport.createLinkedPair();
  await instance.connect(serverTransport);
  const client = new modules.Client(clientInfo);
  try {
    await client.connect(clientTransport);
  } catch (error) {
    await instance.close().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Links a client to an in-process server, or joins the link another connection set holds. */
export async function acquireInProcessClient(
  modules: McpClientModules,
  instance: InProcessServer,
  clientInfo: { name: string; version: string },
): Promise<InProcessClient> {
  for (;;) {
    const existing = links.get(instance);
    if (existing === undefined) break;
    if (existing.closing !== undefined) {
      await existing.closing;
      continue;
    }
    existing.users += 1;
    const release = releaser(instance, existing);
    try {
      return { client: await existing.client, release };
    } catch (error) {
      await release();
      throw error;
    }
  }
  const link: Link = { users: 1, client: linkClient(modules, instance, clientInfo) };
  links.set(instance, link);
  const release = releaser(instance, link);
  try {
    return { client: await link.client, release };
  } catch (error) {
    await release();
    throw error;
  }
}
