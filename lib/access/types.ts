/**
 * Who is looking. Every reader in Backscroll receives a viewer and asks
 * `lib/access` what that viewer may read; nothing else decides.
 */
/** The roles of an account, most privileged first. */
export const ROLES = ["admin", "auditor", "member"] as const;
export type TRole = (typeof ROLES)[number];

/** Whether a value names a role. */
export function isRole(value: unknown): value is TRole {
  return (ROLES as readonly unknown[]).includes(value);
}

/** The kinds of conversation the archive holds. */
export type TChannelKind = "public" | "private" | "dm" | "mpdm";

/** A signed-in user, as the access rules see them. */
export type TViewer = {
  /** app_user.id */
  userId: number;
  role: TRole;
  /** The chat person this account is linked to (person.id), if any. */
  personId: number | null;
};

/**
 * Why a channel is readable:
 * - `public`: a public channel, readable by every signed-in user;
 * - `member`: the viewer's person currently belongs to the channel;
 * - `privileged`: an auditor or admin reading a conversation they do not
 *   belong to (such reads are audited);
 * - `none`: not readable (or does not exist — callers must not tell apart).
 */
export type TAccessBasis = "public" | "member" | "privileged" | "none";

/** A parameterised SQL fragment to embed in another query. */
export type TSqlFragment = {
  sql: string;
  params: unknown[];
};
