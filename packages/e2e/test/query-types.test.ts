import type {
  Options as OfficialOptions,
  PermissionResult as OfficialPermissionResult,
  Query as OfficialQuery,
  SDKUserMessage as OfficialSDKUserMessage,
} from '@anthropic-ai/claude-agent-sdk';
import type { query as officialQuery } from '@anthropic-ai/claude-agent-sdk';
import type { HookCallbackMatcher, Options, PermissionResult, Query, query as compatQuery, SDKUserMessageInput } from '@sdk/compat';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by tsc (the e2e typecheck script): values a program builds for the official API are
// accepted by ours, so changing the import is enough.
describe('query types accept what the official types accept', () => {
  it('an official Options value is one of ours, hooks included', () => {
    // Hook callbacks are checked bivariantly, so callbacks typed with the official event-specific
    // inputs fit as they are.
    expectTypeOf<OfficialOptions>().toExtend<Options>();
    expectTypeOf<Options['hooks']>().not.toBeAny();
  });

  it('our query() is usable wherever the official query() is expected', () => {
    expectTypeOf<typeof compatQuery>().toExtend<typeof officialQuery>();
  });

  it('an inline hook written in the official style type-checks', () => {
    const options: Options = {
      hooks: {
        PreToolUse: [
          {
            matcher: 'Bash',
            hooks: [
              async (input, toolUseID) => {
                const blocked = input.hook_event_name === 'PreToolUse' && input.tool_name === 'Bash' && toolUseID !== undefined;
                return blocked ? { decision: 'block', reason: 'no shell' } : { continue: true };
              },
            ],
          },
        ],
      },
    };
    expectTypeOf(options.hooks?.PreToolUse).toEqualTypeOf<HookCallbackMatcher[] | undefined>();
  });

  it('an official SDKUserMessage can be given as input', () => {
    expectTypeOf<OfficialSDKUserMessage>().toExtend<SDKUserMessageInput>();
  });

  it('a canUseTool answer built for the official type is ours', () => {
    expectTypeOf<OfficialPermissionResult>().toExtend<PermissionResult>();
  });

  it('our Query has every official Query method name', () => {
    expectTypeOf<keyof OfficialQuery>().toExtend<keyof Query>();
  });
});
