import type { TCommand } from "./commands";

/** CLI commands for chatbot executions and bot API tokens. */
export const EXECUTION_COMMANDS: TCommand[] = [];
