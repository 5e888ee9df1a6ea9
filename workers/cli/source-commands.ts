import type { TCommand } from "./commands";

/** CLI commands for live sources: Slack sync, bot tokens, executions. */
export const SOURCE_COMMANDS: TCommand[] = [];
