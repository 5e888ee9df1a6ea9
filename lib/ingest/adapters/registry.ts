import { AppError } from "../../errors";
import type { IngestAdapter, IngestInput } from "../adapter";
import { slackExportAdapter } from "./slack-export/adapter";
import { mattermostAdapter } from "./mattermost/adapter";
import { executionsJsonlAdapter } from "./executions-jsonl/adapter";
import { stackstormAdapter } from "./stackstorm/adapter";
import { salAdapter } from "./server-admin-log/adapter";
import { ircAdapter } from "./irc/adapter";

/** Every ingest adapter, by name. Add new sources here (see README.md). */
export const ADAPTERS: readonly IngestAdapter[] = [slackExportAdapter, mattermostAdapter, executionsJsonlAdapter, stackstormAdapter, salAdapter, ircAdapter];

/** The adapter named `source`, or the first whose detect() accepts the input. */
export async function resolveAdapter(input: IngestInput, source?: string): Promise<IngestAdapter> {
  if (source) {
    const a = ADAPTERS.find((x) => x.name === source);
    if (!a) throw new AppError("usage", `Unknown source "${source}". Known: ${ADAPTERS.map((x) => x.name).join(", ")}`);
    return a;
  }
  for (const a of ADAPTERS) if (await a.detect(input)) return a;
  throw new AppError("bad_input", `Not a recognised archive: ${input.location} (expected a Slack export ZIP or folder with users.json / channels.json)`, {
    file: input.location,
  });
}
