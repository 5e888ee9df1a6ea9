import "server-only";
import { parseIncidentId } from "@/lib/incidents/service";

/** The `[incidentId]` route parameter. */
export async function readIncidentId(params: Promise<{ incidentId: string }>): Promise<number> {
  return parseIncidentId((await params).incidentId);
}
