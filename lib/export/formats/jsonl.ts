import type { TExportFormat } from "../types";

/** JSON Lines: one record per line, full fidelity (versions, deletions, members at the time). */
export const jsonlFormat: TExportFormat = {
  name: "jsonl",
  fileName: "messages.jsonl",
  write: (r) => JSON.stringify(r) + "\n",
};
