import "server-only";
import { parseExportId } from "@/lib/export/jobs";

/** The `[exportId]` route parameter. */
export async function readExportId(params: Promise<{ exportId: string }>): Promise<number> {
  return parseExportId((await params).exportId);
}
