import { AppError } from "../../errors";
import type { TArchive, TArchiveEntry, TArchiveKind, TArchiveLimits } from "./types";

/**
 * What every archive kind shares: the checked, sorted listing and the lookup
 * of an entry's handle (a file path, a ZIP entry). Subclasses read and close.
 */
export abstract class ListedArchive<THandle> implements TArchive {
  abstract readonly kind: TArchiveKind;
  private readonly byPath: Map<string, TArchiveEntry>;

  constructor(
    readonly location: string,
    readonly label: string,
    readonly strippedRoot: string | null,
    private readonly entries: readonly TArchiveEntry[],
    private readonly handles: Map<string, THandle>,
    protected readonly limits: TArchiveLimits,
  ) {
    this.byPath = new Map(entries.map((e) => [e.path, e]));
  }

  list(): readonly TArchiveEntry[] {
    return this.entries;
  }

  get(p: string): TArchiveEntry | undefined {
    return this.byPath.get(p);
  }

  /** The handle of a listed entry; `not_found` for anything else. */
  protected handleOf(p: string): THandle {
    const h = this.handles.get(p);
    if (h === undefined) throw new AppError("not_found", `${this.label} has no entry "${p}"`, { file: p });
    return h;
  }

  abstract readEntry(path: string): Promise<Buffer>;
  abstract close(): Promise<void>;
}
