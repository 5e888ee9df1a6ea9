import Link from "next/link";
import type { ReactNode } from "react";
import type { TSlackNode } from "@/lib/archive/render-text";

/**
 * Renders parsed Slack markup as React elements. No HTML strings: every text
 * reaches the DOM as a text node, so nothing in a message can become markup.
 */
export function SlackText({ nodes }: { nodes: TSlackNode[] }) {
  return <>{nodes.map(renderNode)}</>;
}

function renderNode(n: TSlackNode, i: number): ReactNode {
  switch (n.type) {
    case "text":
      return n.text;
    case "bold":
      return <strong key={i}>{n.children.map(renderNode)}</strong>;
    case "italic":
      return <em key={i}>{n.children.map(renderNode)}</em>;
    case "strike":
      return <del key={i}>{n.children.map(renderNode)}</del>;
    case "code":
      return <code key={i}>{n.text}</code>;
    case "pre":
      return (
        <pre key={i}>
          <code>{n.text}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={i}>{n.children.map(renderNode)}</blockquote>;
    case "link":
      return (
        <a key={i} href={n.url} rel="noopener nofollow noreferrer" target="_blank">
          {n.label}
        </a>
      );
    case "user":
      return (
        <span key={i} className="mention">
          @{n.name}
        </span>
      );
    case "channel":
      return n.href ? (
        <Link key={i} href={n.href} className="mention">
          #{n.name}
        </Link>
      ) : (
        <span key={i} className="mention">
          #{n.name}
        </span>
      );
    case "broadcast":
      return (
        <span key={i} className="mention broadcast">
          {n.name}
        </span>
      );
    case "emoji":
      return (
        <span key={i} className="emoji" title={`:${n.name}:`}>
          {n.char}
        </span>
      );
  }
}
