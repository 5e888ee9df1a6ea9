/**
 * The parsed form of a search query. A query is parsed once (parse.ts) and
 * every backend compiles this tree; no backend looks at the query string.
 */

/** A reference to one message: its channel's external id and its ts. */
export type TMessageRef = { channel: string; ts: string };

export type THasWhat = "link" | "reaction" | "file" | "pin";
export type TIsWhat = "thread" | "bot" | "edited" | "deleted";

/** Operators that narrow the result set (the part after `name:`). */
export type TSearchFilter =
  | { op: "in"; channel: string }
  | { op: "from"; person: string }
  /** Posted in [from, to) (ISO instants, either side open). */
  | { op: "date"; name: "before" | "after" | "on" | "during"; from: string | null; to: string | null }
  | { op: "has"; what: THasWhat }
  | { op: "is"; what: TIsWhat }
  | { op: "near"; ref: TMessageRef }
  | { op: "id"; ref: TMessageRef }
  /** Bot executions linked to the message: `command:`, `status:`, `bot:`. */
  | { op: "command" | "status" | "bot"; value: string };

export type TSearchNode =
  /** A word; `prefix` = also match longer words starting with it (search as you type). */
  | { kind: "word"; value: string; prefix: boolean; pos: number }
  | { kind: "phrase"; value: string; pos: number }
  | { kind: "filter"; filter: TSearchFilter; pos: number }
  | { kind: "not"; child: TSearchNode; pos: number }
  | { kind: "and"; children: TSearchNode[] }
  | { kind: "or"; children: TSearchNode[] };

/** A parsed query; `root` is null for an empty query. */
export type TSearchQuery = { root: TSearchNode | null; source: string };

/** Every word and phrase that is not under a negation (for ranking and highlights). */
export function collectPositiveTerms(node: TSearchNode | null): Array<{ kind: "word" | "phrase"; value: string; prefix: boolean }> {
  return collectTerms(node)
    .filter((t) => !t.negated)
    .map(({ kind, value, prefix }) => ({ kind, value, prefix }));
}

/** Every word and phrase in the tree, with whether it sits under a negation. */
export function collectTerms(node: TSearchNode | null, negated = false): Array<{ kind: "word" | "phrase"; value: string; prefix: boolean; negated: boolean }> {
  if (!node) return [];
  switch (node.kind) {
    case "word":
      return [{ kind: "word", value: node.value, prefix: node.prefix, negated }];
    case "phrase":
      return [{ kind: "phrase", value: node.value, prefix: false, negated }];
    case "filter":
      return [];
    case "not":
      return collectTerms(node.child, !negated);
    case "and":
    case "or":
      return node.children.flatMap((c) => collectTerms(c, negated));
  }
}

/** Every filter in the tree, with whether it sits under a negation. */
export function collectFilters(node: TSearchNode | null, negated = false): Array<{ filter: TSearchFilter; negated: boolean }> {
  if (!node) return [];
  switch (node.kind) {
    case "filter":
      return [{ filter: node.filter, negated }];
    case "not":
      return collectFilters(node.child, !negated);
    case "and":
    case "or":
      return node.children.flatMap((c) => collectFilters(c, negated));
    default:
      return [];
  }
}
