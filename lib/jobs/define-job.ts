import type { z } from "zod";

/**
 * A job type: its name (`<domain>.<verb-noun>`), the zod schema of its
 * payload and its retry policy. Definitions are importable by the web app
 * (to enqueue) without pulling in the handler, which lives in
 * workers/handlers/ and is wired in workers/registry.ts.
 */
export interface TJobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  retry: { maxAttempts: number; backoffSeconds: number };
}

export function defineJob<S extends z.ZodType>(def: { name: string; schema: S; retry?: Partial<TJobDefinition["retry"]> }): TJobDefinition<S> {
  return { name: def.name, schema: def.schema, retry: { maxAttempts: def.retry?.maxAttempts ?? 3, backoffSeconds: def.retry?.backoffSeconds ?? 10 } };
}
