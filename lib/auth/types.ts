import type { TRole } from "@/lib/access/types";

/** An account, as listed and returned by the auth service (never the hash). */
export type TUserSummary = {
  id: number;
  email: string;
  role: TRole;
  personId: number | null;
  /** Source id (Slack `U…`) of the linked chat person, if any. */
  personExternalId: string | null;
  /** Display name of the linked chat person, if any. */
  personName: string | null;
  disabled: boolean;
  /** ISO-8601 */
  createdAt: string;
  /** ISO-8601, or null before the first sign-in. */
  lastLoginAt: string | null;
};

/** The user behind a valid session. */
export type TSessionUser = {
  userId: number;
  email: string;
  role: TRole;
  personId: number | null;
  /** Must come back with every state-changing request of this session. */
  csrfToken: string;
  /** ISO-8601 */
  expiresAt: string;
};

/** A freshly created session: `token` goes into the cookie and nowhere else. */
export type TNewSession = {
  token: string;
  csrfToken: string;
  expiresAt: Date;
};
