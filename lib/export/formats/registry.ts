import { AppError } from "../../errors";
import type { TExportFormat } from "../types";
import { csvFormat } from "./csv";
import { jsonlFormat } from "./jsonl";

/** Every export format by name. Add new formats here (see README.md). */
export const EXPORT_FORMATS: readonly TExportFormat[] = [jsonlFormat, csvFormat];

export function findExportFormat(name: string): TExportFormat {
  const f = EXPORT_FORMATS.find((x) => x.name === name);
  if (!f) throw new AppError("usage", `Unknown export format "${name}". Known: ${EXPORT_FORMATS.map((x) => x.name).join(", ")}`, { field: "format" });
  return f;
}
