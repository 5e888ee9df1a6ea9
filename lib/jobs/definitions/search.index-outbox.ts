import { z } from "zod";
import { defineJob } from "../define-job";

/** Feed archive changes (the search outbox) into the vocabulary and, when configured, Meilisearch. */
export const indexSearchOutboxJob = defineJob({
  name: "search.index-outbox",
  schema: z.object({}),
  retry: { maxAttempts: 5, backoffSeconds: 30 },
});
