import { z } from "zod";
import type { TDb } from "../db";
import { AppError } from "../errors";
import { recordAuditEvent } from "../access/service";
import {
  findChannelsByNameOrId,
  findLegalHold,
  findLegalHolds,
  findPeopleByNameOrId,
  insertLegalHold,
  updateLegalHoldReleased,
  type TLegalHoldRow,
} from "./holds-repository";

/**
 * Legal holds: while a hold is active, no message in its scope (channels;
 * people: what they wrote anywhere and every message of the DMs and group
 * DMs they are in; a posting-time range; each empty = any) is purged by
 * retention, whatever the policies say. Holds are released, never deleted;
 * creating and releasing are audited.
 */

/** Who acts: an account id for the audit log (null for the local CLI) and a label. */
export interface TComplianceActor {
  userId: number | null;
  actor: string;
  ip?: string | null;
}

const ZDate = z
  .string()
  .trim()
  .min(1)
  .transform((s, ctx) => {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be a date (YYYY-MM-DD or ISO-8601)" });
      return z.NEVER;
    }
    return d;
  });

export const ZCreateLegalHold = z
  .object({
    name: z.string().trim().min(1).max(200),
    reason: z.string().trim().min(1).max(2000),
    channels: z.array(z.string().trim().min(1)).default([]),
    people: z.array(z.string().trim().min(1)).default([]),
    from: ZDate.optional(),
    /** Exclusive; a bare date means the end of that day. */
    to: z.string().trim().min(1).optional(),
  })
  .transform((v, ctx) => {
    let to: Date | undefined;
    if (v.to !== undefined) {
      const bare = /^\d{4}-\d{2}-\d{2}$/.test(v.to);
      to = new Date(bare ? `${v.to}T00:00:00Z` : v.to);
      if (Number.isNaN(to.getTime())) {
        ctx.addIssue({ code: "custom", path: ["to"], message: "must be a date (YYYY-MM-DD or ISO-8601)" });
        return z.NEVER;
      }
      if (bare) to = new Date(to.getTime() + 86_400_000);
    }
    if (v.from && to && to <= v.from) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
      return z.NEVER;
    }
    return { ...v, to };
  });
export type TCreateLegalHold = z.input<typeof ZCreateLegalHold>;

export const ZReleaseLegalHold = z.object({ id: z.coerce.number().int().positive(), reason: z.string().trim().min(1).max(2000) });

/** A hold as shown to people: names instead of internal ids where useful. */
export interface TLegalHold extends TLegalHoldRow {
  active: boolean;
}

/** Create a hold (validated; channels and people must exist) and audit it. */
export async function createLegalHold(db: TDb, who: TComplianceActor, input: TCreateLegalHold): Promise<TLegalHold> {
  const parsed = ZCreateLegalHold.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AppError("bad_input", `${String(i.path[0] ?? "hold")}: ${i.message}`, { field: String(i.path[0] ?? "") });
  }
  const h = parsed.data;
  const channels = await findChannelsByNameOrId(db, h.channels);
  for (const ref of h.channels) if (!channels.some((c) => c.ref === ref)) throw new AppError("bad_input", `No channel ${ref}`, { field: "channel" });
  const people = await findPeopleByNameOrId(db, h.people);
  for (const ref of h.people) if (!people.some((p) => p.ref === ref)) throw new AppError("bad_input", `No person ${ref}`, { field: "user" });
  const row = await insertLegalHold(db, {
    name: h.name,
    reason: h.reason,
    channelIds: [...new Set(channels.map((c) => c.id))],
    personIds: [...new Set(people.map((p) => p.id))],
    fromAt: h.from ?? null,
    toAt: h.to ?? null,
    createdBy: who.actor,
  });
  await recordAuditEvent(db, {
    actorId: who.userId,
    action: "legal_hold.create",
    target: `legal_hold:${row.id}`,
    details: {
      by: who.actor,
      name: row.name,
      reason: row.reason,
      channels: channels.map((c) => c.externalId),
      people: people.map((p) => p.externalId),
      from: row.fromAt?.toISOString() ?? null,
      to: row.toAt?.toISOString() ?? null,
    },
    ip: who.ip ?? null,
  });
  return { ...row, active: true };
}

/** Release an active hold (the reason is required) and audit it. */
export async function releaseLegalHold(db: TDb, who: TComplianceActor, id: number, reason: string): Promise<TLegalHold> {
  const parsed = ZReleaseLegalHold.safeParse({ id, reason });
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AppError("bad_input", `${String(i.path[0])}: ${i.message}`, { field: String(i.path[0]) });
  }
  const row = await updateLegalHoldReleased(db, parsed.data.id, who.actor, parsed.data.reason);
  if (!row) {
    const existing = await findLegalHold(db, parsed.data.id);
    if (!existing) throw new AppError("not_found", `No legal hold ${parsed.data.id}`);
    throw new AppError("conflict", `Legal hold ${parsed.data.id} was already released`);
  }
  await recordAuditEvent(db, {
    actorId: who.userId,
    action: "legal_hold.release",
    target: `legal_hold:${row.id}`,
    details: { by: who.actor, name: row.name, reason: parsed.data.reason },
    ip: who.ip ?? null,
  });
  return { ...row, active: false };
}

/** Every hold, active first, with the number of archived messages each covers now. */
export async function listLegalHolds(db: TDb): Promise<(TLegalHold & { messages: number })[]> {
  return (await findLegalHolds(db)).map((h) => ({ ...h, active: h.releasedAt === null }));
}

/** Who may see, place and release legal holds: administrators and auditors. */
export function canManageHolds(role: string): boolean {
  return role === "admin" || role === "auditor";
}
