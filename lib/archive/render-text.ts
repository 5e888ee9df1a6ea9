import { findEmoji } from "./emoji";

/**
 * Slack message markup ("mrkdwn") to a small, safe document tree, and from
 * there to escaped HTML. Nothing in the input can produce markup of its own:
 * every piece of text ends up as a text node (React escapes it) or passes
 * through `escapeHtml`; links keep only http(s) and mailto URLs.
 *
 * Handled: `<@U…>` and `<@U…|name>` mentions, `<#C…|name>` channels,
 * `<!here>`/`<!channel>`/`<!everyone>`, user groups and dates, `<url|label>`
 * links and bare http(s) URLs, *bold*, _italic_, ~strike~, `code`,
 * ```preformatted``` blocks, `>` quotes, `:emoji:`, and Slack's `&amp;`,
 * `&lt;`, `&gt;` escapes. Anything else between `<` and `>` is shown as the
 * text it is.
 */

export type TSlackNode =
  | { type: "text"; text: string }
  | { type: "bold" | "italic" | "strike"; children: TSlackNode[] }
  | { type: "code"; text: string }
  | { type: "pre"; text: string }
  | { type: "quote"; children: TSlackNode[] }
  | { type: "link"; url: string; label: string }
  | { type: "user"; id: string; name: string }
  | { type: "channel"; id: string; name: string; href: string | null }
  | { type: "broadcast"; name: string }
  | { type: "emoji"; name: string; char: string };

/** Name lookups for mentions; absent or returning undefined = not known. */
export type TRenderContext = {
  /** Display name for a user id (`U…`). */
  userName?: (id: string) => string | undefined;
  /** Name for a channel id (`C…`), only when the viewer may know it. */
  channelName?: (id: string) => string | undefined;
  /** Where a channel mention links to, when the viewer may read it. */
  channelHref?: (id: string) => string | undefined;
};

// Atoms (links, mentions) are swapped for private-use characters while the
// formatting is parsed, so `*see <http://a_b|here>*` stays one bold span.
const ATOM_BASE = 0xe000;
const ATOM_MAX = 0x1000;
const ATOM_CHARS = /[\ue000-\uefff]/g;
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const SAFE_URL = /^(https?:\/\/[^\s<>"]+|mailto:[^\s<>"]+)$/i;
const BARE_URL = /\bhttps?:\/\/[^\s<>"\ue000-\uefff]+/g;

/** Undo Slack's three escapes (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
export function decodeSlackEntities(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function splitLabel(inner: string): { head: string; label: string | null } {
  const bar = inner.indexOf("|");
  return bar < 0 ? { head: inner, label: null } : { head: inner.slice(0, bar), label: inner.slice(bar + 1) };
}

/** The node for the inside of one `<…>`; null when it is not Slack markup. */
function parseAtom(inner: string, ctx: TRenderContext): TSlackNode | null {
  const { head, label: rawLabel } = splitLabel(inner);
  const label = rawLabel === null ? null : decodeSlackEntities(rawLabel);
  const sigil = head[0];
  if (sigil === "@") {
    const id = head.slice(1);
    if (!ID_PATTERN.test(id)) return null;
    return { type: "user", id, name: ctx.userName?.(id) ?? label?.replace(/^@/, "") ?? id };
  }
  if (sigil === "#") {
    const id = head.slice(1);
    if (!ID_PATTERN.test(id)) return null;
    return { type: "channel", id, name: label ?? ctx.channelName?.(id) ?? id, href: ctx.channelHref?.(id) ?? null };
  }
  if (sigil === "!") {
    const cmd = head.slice(1);
    if (cmd === "here" || cmd === "channel" || cmd === "everyone") return { type: "broadcast", name: `@${cmd}` };
    if (cmd.startsWith("subteam^")) return { type: "broadcast", name: label ?? "@group" };
    if (label !== null) return { type: "text", text: label };
    return /^[a-z^0-9_-]+$/i.test(cmd) ? { type: "text", text: cmd } : null;
  }
  const url = decodeSlackEntities(head);
  if (SAFE_URL.test(url)) {
    return { type: "link", url, label: label ?? url.replace(/^mailto:/i, "") };
  }
  // Another scheme (javascript:, data:, …): show it, never link it.
  if (/^[a-z][a-z0-9+.-]*:\S*$/i.test(url)) return { type: "text", text: label ?? url };
  return null;
}

/** Plain text of a node tree (for code spans, titles and snippets). */
export function toPlainText(nodes: TSlackNode[]): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case "text":
        case "code":
        case "pre":
          return n.text;
        case "bold":
        case "italic":
        case "strike":
        case "quote":
          return toPlainText(n.children);
        case "link":
          return n.label;
        case "user":
          return `@${n.name}`;
        case "channel":
          return `#${n.name}`;
        case "broadcast":
          return n.name;
        case "emoji":
          return n.char;
      }
    })
    .join("");
}

class Parser {
  private atoms: TSlackNode[] = [];
  constructor(private ctx: TRenderContext) {}

  /** Replace `<…>` markup and bare URLs by placeholder characters. */
  private extractAtoms(s: string): string {
    const out = s.replace(/<([^<>\n]{1,2000})>/g, (whole, inner: string) => {
      const atom = this.atoms.length < ATOM_MAX ? parseAtom(inner, this.ctx) : null;
      if (!atom) return whole;
      this.atoms.push(atom);
      return String.fromCharCode(ATOM_BASE + this.atoms.length - 1);
    });
    return out.replace(BARE_URL, (match) => {
      if (this.atoms.length >= ATOM_MAX) return match;
      // Trailing punctuation belongs to the sentence, not the URL.
      const url = match.replace(/[.,;:!?)\]'}]+$/, "");
      const rest = match.slice(url.length);
      const decoded = decodeSlackEntities(url);
      this.atoms.push({ type: "link", url: decoded, label: decoded });
      return String.fromCharCode(ATOM_BASE + this.atoms.length - 1) + rest;
    });
  }

  private atomAt(ch: string): TSlackNode | undefined {
    return this.atoms[ch.charCodeAt(0) - ATOM_BASE];
  }

  /** Text with placeholders turned back into plain text (inside code). */
  private plain(s: string): string {
    return decodeSlackEntities(s.replace(ATOM_CHARS, (ch) => {
      const atom = this.atomAt(ch);
      return atom ? escapeForReparse(toPlainText([atom])) : "";
    }));
  }

  /** Leaf text: placeholders become their nodes, `:emoji:` becomes characters. */
  private leaves(s: string): TSlackNode[] {
    const nodes: TSlackNode[] = [];
    const pushText = (t: string) => {
      if (!t) return;
      const decoded = decodeSlackEntities(t);
      let last = 0;
      for (const m of decoded.matchAll(/:([a-z0-9_+-]{1,64}(?:::skin-tone-\d)?):/g)) {
        const char = findEmoji(m[1]!);
        if (!char) continue;
        appendText(nodes, decoded.slice(last, m.index));
        nodes.push({ type: "emoji", name: m[1]!, char });
        last = m.index + m[0].length;
      }
      appendText(nodes, decoded.slice(last));
    };
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      if (code >= ATOM_BASE && code < ATOM_BASE + ATOM_MAX) {
        pushText(s.slice(start, i));
        const atom = this.atomAt(s[i]!);
        if (atom) nodes.push(atom);
        start = i + 1;
      }
    }
    pushText(s.slice(start));
    return nodes;
  }

  /** *bold*, _italic_, ~strike~, nested, on text without code spans. */
  private formatting(s: string): TSlackNode[] {
    let best: { index: number; length: number; type: "bold" | "italic" | "strike"; inner: string } | null = null;
    for (const [marker, type] of [["\\*", "bold"], ["_", "italic"], ["~", "strike"]] as const) {
      // Opening marker at a word boundary, content not padded with spaces,
      // closing marker not followed by a word character.
      const re = new RegExp(`(?<![\\p{L}\\p{N}_*~])${marker}(?=[^\\s${marker}])([^\\n${marker}]*?[^\\s${marker}])${marker}(?![\\p{L}\\p{N}_*~])`, "u");
      const m = re.exec(s);
      if (m && (!best || m.index < best.index)) best = { index: m.index, length: m[0].length, type, inner: m[1]! };
    }
    if (!best) return this.leaves(s);
    return [
      ...this.leaves(s.slice(0, best.index)),
      { type: best.type, children: this.formatting(best.inner) },
      ...this.formatting(s.slice(best.index + best.length)),
    ];
  }

  /** One run of inline text: `code` spans, then formatting. */
  inline(s: string): TSlackNode[] {
    const withAtoms = this.extractAtoms(s);
    const nodes: TSlackNode[] = [];
    let last = 0;
    for (const m of withAtoms.matchAll(/`([^`\n]+)`/g)) {
      nodes.push(...this.formatting(withAtoms.slice(last, m.index)));
      nodes.push({ type: "code", text: this.plain(m[1]!) });
      last = m.index + m[0].length;
    }
    nodes.push(...this.formatting(withAtoms.slice(last)));
    return mergeText(nodes);
  }

  /** Lines: runs of `>` lines become quotes. */
  blocks(s: string): TSlackNode[] {
    const nodes: TSlackNode[] = [];
    const lines = s.split("\n");
    let i = 0;
    while (i < lines.length) {
      const quote: string[] = [];
      while (i < lines.length && /^(&gt;|>)/.test(lines[i]!)) quote.push(lines[i++]!.replace(/^(&gt;|>) ?/, ""));
      if (quote.length) {
        nodes.push({ type: "quote", children: this.inline(quote.join("\n")) });
        continue;
      }
      const text: string[] = [];
      while (i < lines.length && !/^(&gt;|>)/.test(lines[i]!)) text.push(lines[i++]!);
      nodes.push(...this.inline(text.join("\n")));
    }
    return mergeText(nodes);
  }

  /** Code fences first: nothing inside them is markup. */
  document(s: string): TSlackNode[] {
    const nodes: TSlackNode[] = [];
    let last = 0;
    for (const m of s.matchAll(/```([\s\S]*?)```/g)) {
      nodes.push(...this.blocks(trimBreaks(s.slice(last, m.index))));
      const content = m[1]!.replace(/^\n/, "").replace(/\n$/, "");
      nodes.push({ type: "pre", text: this.plain(this.extractAtoms(content)) });
      last = m.index + m[0].length;
    }
    nodes.push(...this.blocks(trimBreaks(s.slice(last))));
    return mergeText(nodes);
  }
}

/** toPlainText output re-entering `plain()` is decoded again; keep it literal. */
function escapeForReparse(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function trimBreaks(s: string): string {
  return s.replace(/^\n+/, "").replace(/\n+$/, "");
}

function appendText(nodes: TSlackNode[], text: string): void {
  if (!text) return;
  const prev = nodes[nodes.length - 1];
  if (prev?.type === "text") prev.text += text;
  else nodes.push({ type: "text", text });
}

function mergeText(nodes: TSlackNode[]): TSlackNode[] {
  const out: TSlackNode[] = [];
  for (const n of nodes) {
    if (n.type === "text") appendText(out, n.text);
    else out.push(n);
  }
  return out;
}

/** Parse Slack markup into a tree of safe nodes (see the module comment). */
export function parseSlackText(text: string, ctx: TRenderContext = {}): TSlackNode[] {
  // Our placeholders live in this private-use range; input may not use it.
  const input = text.replace(ATOM_CHARS, "").replace(/\r\n?/g, "\n");
  return new Parser(ctx).document(input);
}

function nodesToHtml(nodes: TSlackNode[]): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case "text":
          return escapeHtml(n.text).replace(/\n/g, "<br>");
        case "bold":
          return `<strong>${nodesToHtml(n.children)}</strong>`;
        case "italic":
          return `<em>${nodesToHtml(n.children)}</em>`;
        case "strike":
          return `<del>${nodesToHtml(n.children)}</del>`;
        case "code":
          return `<code>${escapeHtml(n.text)}</code>`;
        case "pre":
          return `<pre><code>${escapeHtml(n.text)}</code></pre>`;
        case "quote":
          return `<blockquote>${nodesToHtml(n.children)}</blockquote>`;
        case "link":
          return `<a href="${escapeHtml(n.url)}" rel="noopener nofollow noreferrer" target="_blank">${escapeHtml(n.label)}</a>`;
        case "user":
          return `<span class="mention">@${escapeHtml(n.name)}</span>`;
        case "channel":
          return n.href
            ? `<a class="mention" href="${escapeHtml(n.href)}">#${escapeHtml(n.name)}</a>`
            : `<span class="mention">#${escapeHtml(n.name)}</span>`;
        case "broadcast":
          return `<span class="mention">${escapeHtml(n.name)}</span>`;
        case "emoji":
          return `<span class="emoji" title=":${escapeHtml(n.name)}:">${escapeHtml(n.char)}</span>`;
      }
    })
    .join("");
}

/** Render Slack markup as escaped HTML (for exports and HTML timelines). */
export function renderSlackText(text: string, ctx: TRenderContext = {}): string {
  return nodesToHtml(parseSlackText(text, ctx));
}

/** Every user id mentioned as `<@U…>` in a text (to look names up in one query). */
export function findMentionedUserIds(text: string): string[] {
  return [...text.matchAll(/<@([A-Za-z0-9._-]{1,64})(?:\|[^>]*)?>/g)].map((m) => m[1]!);
}

/** Every channel id mentioned as `<#C…>` in a text. */
export function findMentionedChannelIds(text: string): string[] {
  return [...text.matchAll(/<#([A-Za-z0-9._-]{1,64})(?:\|[^>]*)?>/g)].map((m) => m[1]!);
}
