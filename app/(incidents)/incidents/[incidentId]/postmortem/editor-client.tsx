"use client";

import { useMemo, useState } from "react";
import { renderMarkdownHtml } from "@/lib/postmortems/render-html";

/** The Markdown editor with a live preview (the renderer escapes everything). */
export function PostmortemEditor({ action, csrf, markdown, basedOnVersion }: { action: string; csrf: string; markdown: string; basedOnVersion: number | null }) {
  const [text, setText] = useState(markdown);
  const html = useMemo(() => renderMarkdownHtml(text), [text]);
  return (
    <form action={action} method="post" data-testid="postmortem-editor">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="action" value="save" />
      <input type="hidden" name="basedOnVersion" value={basedOnVersion ?? ""} />
      <div style={{ display: "grid", gridTemplateColumns: "1fr 1fr", gap: "1rem" }}>
        <textarea name="markdown" value={text} onChange={(e) => setText(e.target.value)} rows={40} style={{ width: "100%", fontFamily: "monospace" }} aria-label="Markdown" />
        <div className="postmortem-preview" data-testid="postmortem-preview" dangerouslySetInnerHTML={{ __html: html }} />
      </div>
      <p>
        <button type="submit" className="button">
          Save as a new version
        </button>
      </p>
    </form>
  );
}
