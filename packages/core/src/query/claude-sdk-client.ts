import { NotConnectedError } from '../errors.js';
import type { PermissionMode, SDKMessage } from '../messages.js';
import { MessageChannel } from './message-channel.js';
import type { QueryFunction } from './create-query.js';
import type { Options } from './options.js';
import type {
  McpServerStatus,
  Query,
  SDKControlInitializeResponse,
  SDKControlInterruptResponse,
  SDKControlSetPermissionModeResponse,
  SDKUserMessageInput,
} from './query-types.js';

/**
 * A long-lived conversation: the TypeScript counterpart of the Python SDK's `ClaudeSDKClient`.
 * `connect()` opens a streaming-input query; each `query()` sends one user turn; messages are read
 * with `receiveMessages()` (everything, until disconnect) or `receiveResponse()` (up to and
 * including the next `result`). All turns run on one session, one at a time, in order.
 *
 * ```ts
 * await using client = new ClaudeSDKClient({ model: 'claude-sonnet-4-6' });
 * await client.connect();
 * await client.query('Hello');
 * for await (const message of client.receiveResponse()) console.log(message.type);
 * ```
 */
export class ClaudeSDKClient implements AsyncDisposable {
  private connection: { query: Query; channel: MessageChannel } | undefined;

  /**
   * @param options The query options, as for `query()`.
   * @param queryFunction The `query()` to run on (`@sdk/compat` passes its own, wired to the file store).
   */
  constructor(
    readonly options: Options = {},
    private readonly queryFunction: QueryFunction,
  ) {}

  /** Opens the session; `prompt`, when given, is sent first (a string is one turn). */
  async connect(prompt?: string | AsyncIterable<SDKUserMessageInput>): Promise<void> {
    if (this.connection !== undefined) return;
    const channel = new MessageChannel();
    const query = this.queryFunction({ prompt: channel, options: this.options });
    this.connection = { query, channel };
    if (prompt !== undefined) await this.query(prompt);
  }

  /** Sends a user turn (a string) or several (an iterable of user messages, read to its end). */
  async query(prompt: string | AsyncIterable<SDKUserMessageInput>): Promise<void> {
    const { channel } = this.connected('query');
    if (typeof prompt === 'string') {
      channel.push({ type: 'user', message: { role: 'user', content: prompt }, parent_tool_use_id: null });
      return;
    }
    for await (const message of prompt) channel.push(message);
  }

  /** Every message of the session, until `disconnect()`. */
  async *receiveMessages(): AsyncGenerator<SDKMessage, void> {
    const { query } = this.connected('receiveMessages');
    // Iterate by hand: `for await` would close the query when the caller stops early.
    for (;;) {
      const next = await query.next();
      if (next.done === true) return;
      yield next.value;
    }
  }

  /** The messages of the current turn, up to and including its `result`. */
  async *receiveResponse(): AsyncGenerator<SDKMessage, void> {
    for await (const message of this.receiveMessages()) {
      yield message;
      if (message.type === 'result') return;
    }
  }

  /** Stops the running turn; it ends with an error `result`. */
  interrupt(): Promise<SDKControlInterruptResponse | undefined> {
    return this.connected('interrupt').query.interrupt();
  }

  /** The permission mode of the following turns. */
  setPermissionMode(mode: PermissionMode): Promise<SDKControlSetPermissionModeResponse | undefined> {
    return this.connected('setPermissionMode').query.setPermissionMode(mode);
  }

  /** The model of the following turns; `undefined` restores the configured one. */
  setModel(model?: string): Promise<void> {
    return this.connected('setModel').query.setModel(model);
  }

  /** What the session offers (Python `get_server_info`). */
  getServerInfo(): Promise<SDKControlInitializeResponse> {
    return this.connected('getServerInfo').query.initializationResult();
  }

  /** The MCP servers' state (Python `get_mcp_status`). */
  getMcpStatus(): Promise<McpServerStatus[]> {
    return this.connected('getMcpStatus').query.mcpServerStatus();
  }

  /** Ends the session: the running turn is aborted and no further messages arrive. */
  async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined) return;
    connection.channel.end();
    connection.query.close();
    await connection.query.return();
  }

  /** Disconnects, for `await using client = new ClaudeSDKClient(…)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  private connected(method: string): { query: Query; channel: MessageChannel } {
    if (this.connection === undefined) throw new NotConnectedError(`ClaudeSDKClient.${method}(): not connected; call connect() first`);
    return this.connection;
  }
}
