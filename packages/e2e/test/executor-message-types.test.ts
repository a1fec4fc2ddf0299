import type * as Official from '@anthropic-ai/claude-agent-sdk';
import type {
  ModelUsage,
  NonNullableUsage,
  SDKAPIRetryMessage,
  SDKAssistantMessage,
  SDKPartialAssistantMessage,
  SDKResultError,
  SDKResultSuccess,
  SDKSystemMessage,
  SDKUserMessage,
  TerminalReason,
} from '@sdk/core';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by tsc (the e2e typecheck script): every message the executor yields is a value of the
// official type of the same name, so code written against the official SDK reads ours unchanged.
describe('executor message types are official message types', () => {
  it('system, assistant, user, stream and retry messages', () => {
    expectTypeOf<SDKSystemMessage>().toExtend<Official.SDKSystemMessage>();
    expectTypeOf<SDKAssistantMessage>().toExtend<Official.SDKAssistantMessage>();
    expectTypeOf<SDKUserMessage>().toExtend<Official.SDKUserMessage>();
    expectTypeOf<SDKPartialAssistantMessage>().toExtend<Official.SDKPartialAssistantMessage>();
    expectTypeOf<SDKAPIRetryMessage>().toExtend<Official.SDKAPIRetryMessage>();
  });

  it('results, usage and terminal reasons', () => {
    expectTypeOf<SDKResultSuccess>().toExtend<Official.SDKResultSuccess>();
    expectTypeOf<SDKResultError>().toExtend<Official.SDKResultError>();
    expectTypeOf<NonNullableUsage>().toEqualTypeOf<Official.NonNullableUsage>();
    expectTypeOf<ModelUsage>().toExtend<Official.ModelUsage>();
    expectTypeOf<TerminalReason>().toEqualTypeOf<Official.TerminalReason>();
  });
});
