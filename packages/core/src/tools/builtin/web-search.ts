import type { BetaWebSearchTool20250305 } from '@anthropic-ai/sdk/resources/beta/messages/messages';

/**
 * The official `WebSearch` tool is not a local tool: the API runs it. Send this server tool
 * definition in the request's `tools` when `WebSearch` is enabled; the model's searches and their
 * results then arrive as `server_tool_use` and `web_search_tool_result` blocks. `max_uses` is the
 * CLI's limit of 8 searches per request.
 */
export const WEB_SEARCH_SERVER_TOOL: Readonly<BetaWebSearchTool20250305> = Object.freeze({
  type: 'web_search_20250305',
  name: 'web_search',
  max_uses: 8,
});
