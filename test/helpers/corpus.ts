import fs from "node:fs";
import path from "node:path";

/** ../shared/testdata beside the checkout, when present. */
export const TESTDATA = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "testdata");

/** Skip reason when the real-data corpus is absent (a fresh clone has none). */
export function corpusSkip(sub: string): string | false {
  return fs.existsSync(path.join(TESTDATA, sub)) ? false : `../shared/testdata/${sub} is absent: corpus test skipped`;
}
