import type { TCommand } from "./commands";

/** CLI commands for search and reindex. */
export const SEARCH_COMMANDS: TCommand[] = [];
