import { decodeSlackEntities } from "../archive/render-text";

/**
 * Slack markup to plain text for timelines and exports, in one pass: the
 * full renderer (lib/archive/render-text) builds a document tree per
 * message, which is too slow for a 20,000-message incident; the timeline
 * only needs readable text (the web page escapes it, exports escape per format).
 */

/** Names for mentions. */
export type TPlainContext = { userName?: (id: string) => string | undefined; channelName?: (id: string) => string | undefined };

/** Plain text of Slack markup: mentions as @name / #name, links as their label, formatting marks dropped. */
export function slackToPlainText(raw: string, ctx: TPlainContext = {}): string {
  if (!raw) return "";
  let s = raw.replace(/<([^<>\n]{1,2000})>/g, (all, inner: string) => {
    const [target = "", label] = inner.split("|", 2) as [string, string | undefined];
    if (target.startsWith("@")) return `@${label || ctx.userName?.(target.slice(1)) || target.slice(1)}`;
    if (target.startsWith("#")) return `#${label || ctx.channelName?.(target.slice(1)) || target.slice(1)}`;
    if (target.startsWith("!subteam^")) return `@${label ?? "group"}`;
    if (target.startsWith("!date^")) return label ?? "";
    if (target.startsWith("!")) return `@${target.slice(1)}`;
    if (/^(?:https?:|mailto:)/i.test(target)) return label || target;
    return all;
  });
  if (s.includes("`")) s = s.replace(/```\n?/g, "").replace(/`([^`\n]*)`/g, "$1");
  if (s.includes("*") || s.includes("_") || s.includes("~")) s = s.replace(/(^|[\s(])([*_~])([^*_~\n]+?)\2(?=$|[\s).,;:!?])/gm, "$1$3");
  return s.includes("&") ? decodeSlackEntities(s) : s;
}
