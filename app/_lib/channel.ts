import "server-only";
import { cache } from "react";
import { getPool } from "@/lib/db";
import { findChannelForViewer } from "@/lib/archive/service";
import type { TChannelSummary } from "@/lib/archive/types";
import { requireViewer } from "./session";

/**
 * The channel of a `[channelId]` route segment for the signed-in viewer, or
 * null (bad id, no such channel, or not readable). Cached per request, so
 * metadata and page share one lookup.
 */
export const loadChannel = cache(async (rawId: string): Promise<TChannelSummary | null> => {
  const { viewer } = await requireViewer();
  if (!/^[1-9]\d{0,9}$/.test(rawId)) return null;
  return findChannelForViewer(getPool(), viewer, Number(rawId));
});

/** How a channel's name reads in titles: #public, plain names for private channels and DMs. */
export function formatChannelTitle(c: TChannelSummary): string {
  return c.kind === "public" ? `#${c.label}` : c.label;
}
