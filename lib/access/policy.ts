import type { TAccessBasis, TChannelKind, TRole } from "./types";

/**
 * The access rules, as pure decisions (no database). The repository gathers
 * the facts (channel kind, whether the viewer's person currently belongs to
 * the channel); these functions decide.
 *
 * Rules (SPEC capability 8):
 * - every signed-in user reads public channels;
 * - a member reads private channels, DMs and group DMs only while their
 *   linked person *currently* belongs to them (a membership interval with no
 *   `left_at`). Leaving a private conversation ends access to all of it, as in
 *   Slack; a past membership grants nothing. An account with no linked person
 *   reads public channels only;
 * - auditors and admins read everything; their reads of conversations they do
 *   not belong to are "privileged" and get audited.
 */

/** True for roles that may read every conversation in the archive. */
export function hasFullReadAccess(role: TRole): boolean {
  return role === "admin" || role === "auditor";
}

/** True for kinds that only their members may read. */
export function isRestrictedKind(kind: TChannelKind): boolean {
  return kind !== "public";
}

/**
 * Decide whether (and on what basis) a viewer may read a channel.
 * `isCurrentMember` is whether the viewer's person currently belongs to it.
 */
export function decideChannelAccess(input: {
  role: TRole;
  kind: TChannelKind;
  isCurrentMember: boolean;
}): TAccessBasis {
  if (!isRestrictedKind(input.kind)) return "public";
  if (input.isCurrentMember) return "member";
  if (hasFullReadAccess(input.role)) return "privileged";
  return "none";
}

/** True when a decision allows reading. */
export function isReadable(basis: TAccessBasis): boolean {
  return basis !== "none";
}

/**
 * True for roles that see what deleted messages said (the tombstone keeps
 * it); everyone else sees "This message was deleted."
 */
export function canSeeDeletedContent(role: TRole): boolean {
  return hasFullReadAccess(role);
}

/**
 * True for roles that may see the raw text of a message whose secrets are
 * masked (or that an admin redacted); every such read is audited.
 */
export function canViewRawText(role: TRole): boolean {
  return hasFullReadAccess(role);
}

/** True for roles that may redact a message (and revert a redaction). */
export function canRedactMessages(role: TRole): boolean {
  return role === "admin";
}
