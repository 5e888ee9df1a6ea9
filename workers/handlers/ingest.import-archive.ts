import type { z } from "zod";
import { importArchiveJob } from "../../lib/jobs/definitions/ingest.import-archive";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import type { TJobContext } from "../registry";

/** Runs an import; a retry resumes from the run's last checkpoint. */
export async function handleImportArchive(payload: z.infer<typeof importArchiveJob.schema>, ctx: TJobContext): Promise<void> {
  const input = { location: payload.location };
  const adapter = await resolveAdapter(input, payload.source);
  let last = 0;
  await runIngest({
    adapter,
    input,
    pool: ctx.pool,
    onProgress: (p) => {
      const now = Date.now();
      if (now - last > 1000) {
        last = now;
        void ctx.progress({ done: p.done, total: p.total, unit: p.unit });
      }
    },
  });
}
