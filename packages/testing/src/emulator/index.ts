/**
 * A local emulator of the Anthropic Messages API for tests and examples.
 *
 * @module @sdk/testing/emulator
 */
export { startMessagesEmulator } from './server.js';
export { echoReply, errorReply, errorTypeForStatus, textReply, toolUseReply } from './builders.js';
export type { MessageReplyOptions } from './builders.js';
export { estimateInputTokens, estimateOutputTokens } from './token-estimate.js';
export { validateMessagesRequest } from './validate-request.js';
export { EMULATOR_MODELS } from './models.js';
export type { EmulatorModel } from './models.js';
export type {
  EmulatorBlock,
  EmulatorErrorReply,
  EmulatorFaultReply,
  EmulatorMessageReply,
  EmulatorOptions,
  EmulatorReply,
  EmulatorResponder,
  EmulatorStopReason,
  EmulatorUsage,
  MessagesEmulator,
  RecordedRequest,
} from './types.js';
