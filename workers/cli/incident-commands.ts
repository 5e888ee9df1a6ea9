import type { TCommand } from "./commands";

/** CLI commands for incidents, timelines and postmortems. */
export const INCIDENT_COMMANDS: TCommand[] = [];
