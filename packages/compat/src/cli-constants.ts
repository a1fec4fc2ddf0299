// Constants of the official package's API (declared in its sdk.d.ts, values of 0.3.332). They
// describe the Claude Code CLI — its tool names, exit reasons, usage banners — and are exported
// with the same values so programs that read them keep working after the import swap. Data only.
import { LEGACY_TOOL_NAME_ALIASES } from '@sdk/core';

/** Every tool name the official CLI knows (most do not exist here: see docs/tools.md for ours). */
export const BUILTIN_TOOL_NAMES = ["Agent", "Artifact", "AskUserQuestion", "Bash", "ClaudeDesign", "CronCreate", "CronDelete", "CronList", "Edit", "EndConversation", "EnterPlanMode", "EnterWorktree", "ExitPlanMode", "ExitWorktree", "Glob", "Grep", "ListAgents", "ListMcpResourcesTool", "LSP", "Monitor", "NotebookEdit", "OfferChromeSetup", "PowerShell", "Projects", "propose_skills", "PushNotification", "Read", "ReadMcpResourceDirTool", "ReadMcpResourceTool", "ReadNotifications", "RemoteTrigger", "ReportFindings", "ScheduleWakeup", "SendFeedback", "SendMessage", "SendUserFile", "SendUserMessage", "SetGoal", "ShareOnboardingGuide", "ShowOnboardingRolePicker", "Skill", "SubagentHandback", "TaskCreate", "TaskGet", "TaskList", "TaskStop", "TaskUpdate", "TodoWrite", "ToolSearch", "WaitForMcpServers", "WebFetch", "WebSearch", "Workflow", "Write"] as const;
/** The reasons a session ends, as `SessionEnd` hooks report them. */
export const EXIT_REASONS = ["clear", "resume", "logout", "prompt_input_exit", "other"] as const;
/** Prefixes of the errors an organisation policy limit produces. */
export const ORG_POLICY_LIMIT_PREFIXES = ["This service is disabled for your org"] as const;
/** Prefixes of the errors a usage limit produces. */
export const USAGE_LIMIT_ERROR_PREFIXES = ["You've hit your", "You've reached your", "You're out of usage credits", "Your org is out of usage · add funds to continue", "Your org is out of usage · contact your admin", "Your seat type doesn't include usage credits", "Your seat type doesn't include usage", "Your usage allocation has been disabled by your admin", "Your group's usage limit is set to $0", "Fable 5 requires usage credits", "You're out of extra usage", "Your seat type doesn't include extra usage"] as const;
/** Prefixes of the notices that usage moved to credits or an allocation. */
export const USAGE_TRANSITION_PREFIXES = ["You're now using usage credits", "You're now using your usage allocation", "Now using your usage allocation", "Now using usage credits", "Now using credits", "You're now using extra usage", "Now using extra usage"] as const;
/** Prefixes of the notices that usage nears a limit. */
export const USAGE_WARNING_PREFIXES = ["You've used", "You're close to"] as const;

/** Old tool names and the names they stand for now (as the permission rules here read them). */
export { LEGACY_TOOL_NAME_ALIASES };
