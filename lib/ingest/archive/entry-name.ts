/**
 * Normalising and vetting archive entry names. A name is refused rather than
 * "fixed" when it tries to leave the archive: an exporter never produces such
 * names, so one that does is either broken or an attack, and either way the
 * import must not guess.
 */

export type TEntryNameCheck =
  | { ok: true; path: string; isDirectory: boolean }
  | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks one raw entry name and returns its normalised relative path.
 * Backslashes count as separators (Windows zip tools write them), so
 * `..\\..\\x` is caught as traversal and `C:\\x` / `\\x` as absolute.
 */
export function checkEntryName(raw: string): TEntryNameCheck {
  if (raw.length === 0) return { ok: false, reason: "has an empty name" };
  if (CONTROL.test(raw)) return { ok: false, reason: "has a control character in its name" };
  if (raw.startsWith("/") || raw.startsWith("\\")) return { ok: false, reason: "has an absolute path" };
  if (/^[A-Za-z]:/.test(raw)) return { ok: false, reason: "has an absolute path with a drive letter" };
  const slashed = raw.replace(/\\/g, "/");
  const isDirectory = slashed.endsWith("/");
  const segments: string[] = [];
  for (const seg of slashed.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") return { ok: false, reason: "has a path traversal ('..') in its name" };
    segments.push(seg);
  }
  if (segments.length === 0 && !isDirectory) return { ok: false, reason: "has no file name" };
  return { ok: true, path: segments.join("/"), isDirectory };
}

/**
 * True for entries an importer should not see: dotfiles and dot-folders
 * (`.DS_Store`, `._x` resource forks) and macOS's `__MACOSX/` shadow tree.
 */
export function isIgnoredPath(path: string): boolean {
  return path.split("/").some((seg) => seg.startsWith(".") || seg === "__MACOSX");
}

/**
 * The single top-level folder every path lies under, or null. Paths directly
 * at the top level mean there is no common root.
 */
export function findCommonRoot(paths: readonly string[]): string | null {
  let root: string | null = null;
  for (const p of paths) {
    const slash = p.indexOf("/");
    if (slash <= 0) return null;
    const first = p.slice(0, slash);
    if (root === null) root = first;
    else if (root !== first) return null;
  }
  return root;
}
