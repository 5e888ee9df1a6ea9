/**
 * The text a message is found by: its own text plus the text of its
 * attachments and Block Kit blocks, one line per fragment, duplicates
 * removed (modern messages repeat their text in a rich_text block; bot
 * attachments repeat it in `fallback`). Slack markup (`<@U1>`, `<url|label>`)
 * is kept as is, and rich-text elements are rendered in the same markup so
 * that the duplicates really are identical lines.
 */

/** Nesting bound: blocks from the wild are shallow; this only stops pathological input. */
const MAX_DEPTH = 24;

type TRecord = Record<string, unknown>;

function isRecord(v: unknown): v is TRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

/** A text object (`{type: "mrkdwn", text}`) or a plain string. */
function textOf(v: unknown): string | null {
  if (typeof v === "string") return str(v);
  return isRecord(v) ? str(v.text) : null;
}

/** One rich_text inline element in Slack's text markup. */
function renderInline(el: unknown): string {
  if (!isRecord(el)) return "";
  switch (el.type) {
    case "text":
      return typeof el.text === "string" ? el.text : "";
    case "link": {
      const url = str(el.url);
      const label = str(el.text);
      if (!url) return label ?? "";
      return label && label !== url ? `<${url}|${label}>` : `<${url}>`;
    }
    case "user":
      return str(el.user_id) ? `<@${el.user_id as string}>` : "";
    case "channel":
      return str(el.channel_id) ? `<#${el.channel_id as string}>` : "";
    case "usergroup":
      return str(el.usergroup_id) ? `<!subteam^${el.usergroup_id as string}>` : "";
    case "broadcast":
      return str(el.range) ? `<!${el.range as string}>` : "";
    case "emoji":
      return str(el.name) ? `:${el.name as string}:` : "";
    case "date":
      return str(el.fallback) ?? "";
    case "color":
      return str(el.value) ?? "";
    default:
      return str(el.text) ?? "";
  }
}

/** Appends the searchable text of one block (or block element, recursively). */
export function collectBlockText(node: unknown, out: string[], depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(node)) {
    for (const n of node) collectBlockText(n, out, depth + 1);
    return;
  }
  if (!isRecord(node)) return;
  switch (node.type) {
    case "rich_text_section":
    case "rich_text_preformatted":
    case "rich_text_quote": {
      const els = Array.isArray(node.elements) ? node.elements : [];
      const line = els.map(renderInline).join("");
      if (line) out.push(line);
      return;
    }
    case "rich_text":
    case "rich_text_list":
      collectBlockText(node.elements, out, depth + 1);
      return;
    case "section": {
      const t = textOf(node.text);
      if (t) out.push(t);
      if (Array.isArray(node.fields)) for (const f of node.fields) {
        const ft = textOf(f);
        if (ft) out.push(ft);
      }
      // Accessories are buttons, images and menus: labels, not content.
      return;
    }
    case "header":
    case "plain_text":
    case "mrkdwn": {
      const t = textOf(node.type === "header" ? node.text : node);
      if (t) out.push(t);
      return;
    }
    case "context":
      if (Array.isArray(node.elements)) for (const el of node.elements) {
        const t = isRecord(el) && (el.type === "mrkdwn" || el.type === "plain_text") ? str(el.text) : null;
        if (t) out.push(t);
      }
      return;
    case "image":
    case "video": {
      const t = textOf(node.title);
      if (t) out.push(t);
      return;
    }
    case "actions":
    case "divider":
    case "input":
    case "file":
    case "button":
      return;
    default: {
      // Unknown block types: take a text object and descend into elements.
      const t = textOf(node.text);
      if (t) out.push(t);
      if (Array.isArray(node.elements)) collectBlockText(node.elements, out, depth + 1);
    }
  }
}

/** Appends the searchable text of one legacy attachment. */
export function collectAttachmentText(att: unknown, out: string[]): void {
  if (!isRecord(att)) return;
  for (const key of ["pretext", "author_name", "title", "text", "fallback", "footer"] as const) {
    const t = str(att[key]);
    if (t) out.push(t);
  }
  if (Array.isArray(att.fields)) {
    for (const f of att.fields) {
      if (!isRecord(f)) continue;
      const title = str(f.title);
      const value = typeof f.value === "number" ? String(f.value) : str(f.value);
      if (title) out.push(title);
      if (value) out.push(value);
    }
  }
  if (Array.isArray(att.blocks)) collectBlockText(att.blocks, out);
  // Shared messages (`message_blocks`) carry the quoted message's blocks.
  if (Array.isArray(att.message_blocks)) {
    for (const mb of att.message_blocks) {
      if (isRecord(mb) && isRecord(mb.message)) collectBlockText(mb.message.blocks, out);
    }
  }
}

/**
 * Text + attachments + blocks as de-duplicated, non-empty lines joined by
 * "\n" (first occurrence order, trailing whitespace trimmed).
 */
export function buildSearchText(text: string | null | undefined, attachments: unknown, blocks: unknown): string {
  const parts: string[] = [];
  if (text) parts.push(text);
  if (Array.isArray(attachments)) for (const a of attachments) collectAttachmentText(a, parts);
  if (Array.isArray(blocks)) collectBlockText(blocks, parts);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const part of parts) {
    for (const raw of part.split("\n")) {
      const line = raw.trimEnd();
      if (line.trim() === "" || seen.has(line)) continue;
      seen.add(line);
      lines.push(line);
    }
  }
  return lines.join("\n");
}
