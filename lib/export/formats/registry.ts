import { AppError } from "../../errors";
import type { TExportFormat } from "../types";
import { actianceFormat } from "./actiance";
import { csvFormat } from "./csv";
import { emlFormat } from "./eml";
import { htmlFormat } from "./html";
import { jsonlFormat } from "./jsonl";
import { slackFormat } from "./slack";

/** Every export format by name. Add new formats here (see README.md). */
export const EXPORT_FORMATS: readonly TExportFormat[] = [jsonlFormat, csvFormat, emlFormat, actianceFormat, htmlFormat, slackFormat];

/** The format of that name; a usage error naming the known ones otherwise. */
export function findExportFormat(name: string): TExportFormat {
  const f = EXPORT_FORMATS.find((x) => x.name === name);
  if (!f) throw new AppError("usage", `Unknown export format "${name}". Known: ${EXPORT_FORMATS.map((x) => x.name).join(", ")}`, { field: "format" });
  return f;
}
