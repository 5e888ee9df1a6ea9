import { z } from "zod";
import { recordAuditEvent } from "../access/service";
import type { TViewer } from "../access/types";
import type { TDb } from "../db";
import { AppError } from "../errors";
import { findActiveRedactionsInChannel, formatRedactedText, type TActiveRedaction } from "../compliance/message-overlay";
import { maskSecrets } from "../compliance/secrets";
import { findIncident, findIncidentTimeline } from "../incidents/service";
import { diffLines, type TDiffLine } from "./diff";
import { draftPostmortem, type TDraftFacts } from "./draft";
import { insertDraft, selectDraft, selectDrafts, type TDraftRow } from "./repository";

/**
 * Postmortem drafts: generated deterministically from the archive, edited by
 * people, every version kept. Regeneration never overwrites an edit: the new
 * generation is stored as its own version and the edited draft stays
 * current, with a notice and a diff.
 */

/** A draft version for readers. */
export type TDraftView = { version: number; origin: "generated" | "edited"; markdown: string; basedOnVersion: number | null; authorId: number | null; createdAt: string };

/** The state of an incident's postmortem. */
export type TPostmortemState = {
  current: TDraftView | null;
  latestGenerated: TDraftView | null;
  versions: Omit<TDraftView, "markdown">[];
  /** Set when a newer generation exists than the edited draft shown. */
  notice: string | null;
  /** Edited draft → newer generation, when there is one. */
  diff: TDiffLine[] | null;
};

/** How a stored draft reads now: secrets masked, lines sourced from a redacted message redacted. */
type TDraftOverlay = (markdown: string) => string;

/**
 * Drafts are stored as written (a person may have edited them), so what
 * they quote from the chat is overlaid when read: secrets are masked and a
 * line whose source is a message an admin redacted shows only
 * `[redacted: reason]` and its source link.
 */
export function overlayDraftMarkdown(markdown: string, redactions: Map<string, Pick<TActiveRedaction, "reason">>): string {
  let out = markdown;
  if (redactions.size) {
    out = out
      .split("\n")
      .map((line) => {
        for (const [ts, r] of redactions) {
          if (!line.includes(`#m-${ts})`)) continue;
          const lead = /^\s*(?:[-*]\s(?:\[[ x]\]\s)?|>\s)?/.exec(line)?.[0] ?? "";
          const links = line.match(/\(\[source\]\([^)\s]*\)\)/g) ?? [];
          return `${lead}${formatRedactedText(r.reason)} ${links.join(" ")}`.trimEnd();
        }
        return line;
      })
      .join("\n");
  }
  return maskSecrets(out);
}

/** The overlay of one request; the same text (the current draft is often the latest generated one) is overlaid once. */
async function draftOverlayFor(db: TDb, channelId: number): Promise<TDraftOverlay> {
  const redactions = await findActiveRedactionsInChannel(db, channelId);
  const done = new Map<string, string>();
  return (markdown) => {
    let out = done.get(markdown);
    if (out === undefined) done.set(markdown, (out = overlayDraftMarkdown(markdown, redactions)));
    return out;
  };
}

function view(r: TDraftRow, overlay: TDraftOverlay = maskSecrets): TDraftView {
  return { version: r.version, origin: r.origin, markdown: overlay(r.markdown ?? ""), basedOnVersion: r.based_on_version, authorId: r.author_id, createdAt: r.created_at.toISOString() };
}

function stateOf(rows: TDraftRow[], overlay: TDraftOverlay = maskSecrets): TPostmortemState {
  const edited = rows.filter((r) => r.origin === "edited").at(-1);
  const generated = rows.filter((r) => r.origin === "generated").at(-1);
  const current = edited ?? generated;
  const newer = edited && generated && generated.version > edited.version ? generated : null;
  return {
    current: current ? view(current, overlay) : null,
    latestGenerated: generated ? view(generated, overlay) : null,
    versions: rows.map((r) => {
      const { markdown: _m, ...rest } = view(r, () => "");
      return rest;
    }),
    notice: newer && edited ? `A newer generated draft (version ${newer.version}) exists; your edited version ${edited.version} is kept as the current draft.` : null,
    diff: newer && edited ? diffLines(overlay(edited.markdown ?? ""), overlay(newer.markdown ?? "")) : null,
  };
}

/** Options of a generation. */
export type TGenerateOptions = { tz?: string; baseUrl?: string; template?: string; actorId?: number | null };

/**
 * Generate the draft from the archive now; store it as a new version when it
 * differs from the last generation. Returns the state and the fresh draft.
 */
export async function generatePostmortem(
  db: TDb,
  viewer: TViewer,
  incidentId: number,
  opts: TGenerateOptions = {},
): Promise<{ state: TPostmortemState; generated: string; facts: TDraftFacts; stored: boolean }> {
  const { incident, timeline, derived } = await findIncidentTimeline(db, viewer, incidentId);
  const { markdown: generated, facts } = draftPostmortem(incident, derived, timeline, { tz: opts.tz ?? "UTC", baseUrl: opts.baseUrl, template: opts.template });
  const rows = await selectDrafts(db, incidentId);
  const lastGenerated = rows.filter((r) => r.origin === "generated").at(-1);
  let stored = false;
  if (!lastGenerated || lastGenerated.markdown !== generated) {
    const version = await insertDraft(db, { incidentId, origin: "generated", markdown: generated, basedOnVersion: rows.at(-1)?.version ?? null, authorId: opts.actorId ?? null });
    await recordAuditEvent(db, { actorId: opts.actorId ?? null, action: "postmortem.generate", target: `incident:${incidentId}`, details: { version } });
    stored = true;
  }
  const overlay = await draftOverlayFor(db, incident.channel.id);
  const drafts = stored ? await selectDrafts(db, incidentId) : rows;
  return { state: stateOf(drafts, overlay), generated: overlay(generated), facts, stored };
}

/** The postmortem's versions and current draft (no generation). */
export async function findPostmortem(db: TDb, viewer: TViewer, incidentId: number): Promise<TPostmortemState> {
  const incident = await findIncident(db, viewer, incidentId);
  return stateOf(await selectDrafts(db, incidentId), await draftOverlayFor(db, incident.channel.id));
}

/** One version's text. */
export async function findPostmortemVersion(db: TDb, viewer: TViewer, incidentId: number, version: number): Promise<TDraftView> {
  const incident = await findIncident(db, viewer, incidentId);
  const row = await selectDraft(db, incidentId, version);
  if (!row) throw new AppError("not_found", "no such postmortem version", { field: "version" });
  return view(row, await draftOverlayFor(db, incident.channel.id));
}

/** An edit from the editor. */
export const ZSaveDraft = z.object({
  markdown: z.string().max(1_000_000, "draft too long"),
  basedOnVersion: z.number().int().positive().nullable(),
});

/** Store an edited draft as a new version (audited). */
export async function saveEditedDraft(db: TDb, viewer: TViewer, incidentId: number, input: z.input<typeof ZSaveDraft>): Promise<TPostmortemState> {
  const parsed = ZSaveDraft.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const incident = await findIncident(db, viewer, incidentId);
  const rows = await selectDrafts(db, incidentId);
  const based = parsed.data.basedOnVersion;
  if (based !== null && !rows.some((r) => r.version === based)) throw new AppError("bad_input", "no such version to base the edit on", { field: "basedOnVersion" });
  const version = await insertDraft(db, { incidentId, origin: "edited", markdown: parsed.data.markdown, basedOnVersion: based, authorId: viewer.userId || null });
  await recordAuditEvent(db, { actorId: viewer.userId || null, action: "postmortem.edit", target: `incident:${incidentId}`, details: { version, basedOnVersion: based } });
  return stateOf(await selectDrafts(db, incidentId), await draftOverlayFor(db, incident.channel.id));
}
