import { buildChannelPath } from "@/lib/archive/service";
import type { TExecutionRow } from "@/lib/executions/repository";

/** How long a run took, compactly ("…" while it runs). */
export function formatRunDuration(r: Pick<TExecutionRow, "startedAt" | "finishedAt">): string {
  if (!r.finishedAt) return "…";
  const s = Math.round((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** A run's arguments as one line of text. */
export function formatRunArguments(args: unknown): string {
  if (Array.isArray(args)) return args.join(" ");
  if (args && typeof args === "object") return JSON.stringify(args);
  return typeof args === "string" ? args : "";
}

/** Where a run was triggered: its message in context when known, else its channel. */
export function buildRunTriggerHref(r: Pick<TExecutionRow, "channelId" | "messageTs">): string | null {
  if (r.channelId === null) return null;
  if (!r.messageTs) return buildChannelPath(r.channelId);
  const day = new Date(Number(r.messageTs.split(".")[0]) * 1000).toISOString().slice(0, 10);
  return `${buildChannelPath(r.channelId)}?day=${day}#m-${r.messageTs}`;
}

/** The badge class of a run's status. */
export function runStatusClass(status: string): string {
  return status === "failed" || status === "timeout" ? "badge danger" : "badge";
}
