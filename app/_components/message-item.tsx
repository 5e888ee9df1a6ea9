import Link from "next/link";
import { DELETED_MESSAGE_TEXT } from "@/lib/archive/service";
import { formatUtcDateTime, formatUtcTime } from "@/lib/archive/format-time";
import type { TMessageView } from "@/lib/archive/types";
import { SlackText } from "./slack-text";
import { MessageActionsClient, type TMessageActionsPermissions } from "./message-actions-client";

/** One message: author, full UTC time, text, files, reactions, thread link. */
export function MessageItem({
  message: m,
  permalink,
  threadHref,
  isSelected = false,
  actions = null,
}: {
  message: TMessageView;
  /** Raw-text and redaction controls for auditors and admins; null for everyone else. */
  actions?: TMessageActionsPermissions | null;
  /** Link to this message in its day. */
  permalink: string;
  /** Link that opens the message's thread; null inside a thread view. */
  threadHref: string | null;
  isSelected?: boolean;
}) {
  return (
    <article id={`m-${m.ts}`} className={`message${isSelected ? " selected" : ""}${m.isDeleted ? " deleted" : ""}`} data-testid="message">
      <div className="avatar" style={{ backgroundColor: avatarColor(m.author.name) }} aria-hidden="true">
        {initial(m.author.name)}
      </div>
      <div className="message-main">
        <div className="message-meta">
          <span className="author">{m.author.name}</span>
          {m.author.isBot && <span className="badge">bot</span>}
          <Link href={permalink} className="timestamp" title={formatUtcDateTime(m.postedAt)}>
            <time dateTime={m.postedAt}>{formatUtcDateTime(m.postedAt)}</time>
          </Link>
          {m.isEdited && (
            <span className="edited" title={m.editedAt ? `edited ${formatUtcDateTime(m.editedAt)}` : "edited"}>
              (edited)
            </span>
          )}
          {m.isPinned && <span className="badge">pinned</span>}
          {m.isBroadcast && <span className="badge">also sent to the channel</span>}
          {m.isDeleted && !m.isContentHidden && <span className="badge danger">deleted</span>}
          {m.redaction && (
            <span className="badge danger" data-testid="redacted-badge">
              redacted
            </span>
          )}
          {m.hasMaskedSecrets && (
            <span className="badge" title="Credentials in this message are masked">
              secrets masked
            </span>
          )}
        </div>
        {m.isContentHidden ? (
          <div className="message-text deleted-notice">{DELETED_MESSAGE_TEXT}</div>
        ) : (
          <div className="message-text" data-testid="message-text">
            <SlackText nodes={m.body} />
          </div>
        )}
        {actions && !m.isContentHidden && (
          <MessageActionsClient messageId={m.id} isMasked={m.hasMaskedSecrets} isRedacted={m.redaction !== null} permissions={actions} />
        )}
        {m.files.length > 0 && (
          <ul className="files">
            {m.files.map((f) => (
              <li key={f.id} className="file">
                <span className="file-icon" aria-hidden="true">
                  {fileBadge(f.name, f.mimetype)}
                </span>
                {f.url && !f.isRemoved ? (
                  <a href={f.url} rel="noopener nofollow noreferrer" target="_blank">
                    {f.title || f.name}
                  </a>
                ) : (
                  <span>{f.title || f.name}</span>
                )}
                <span className="muted">
                  {[f.name !== f.title ? f.name : null, f.mimetype, f.size !== null ? formatBytes(f.size) : null, f.isRemoved ? "removed at the source" : null]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
              </li>
            ))}
          </ul>
        )}
        {m.reactions.length > 0 && (
          <ul className="reactions" aria-label="Reactions">
            {m.reactions.map((r) => (
              <li key={r.name} className="reaction" title={`${r.users.join(", ")} reacted with :${r.name}:`}>
                <span className="reaction-emoji">{r.char ?? `:${r.name}:`}</span>
                <span className="reaction-count">{r.count}</span>
              </li>
            ))}
          </ul>
        )}
        {threadHref && m.replyCount > 0 && (
          <Link href={threadHref} className="thread-link" data-testid="thread-link" scroll={false}>
            {m.replyCount === 1 ? "1 reply" : `${m.replyCount} replies`}
            {m.lastReplyAt && <span className="muted"> · last reply {formatUtcDay(m.lastReplyAt, m.postedAt)} UTC</span>}
          </Link>
        )}
      </div>
    </article>
  );
}

/** A short type label for a file ("PDF", "LOG", "IMG"). */
function fileBadge(name: string, mimetype: string | null): string {
  const ext = /\.([a-z0-9]{1,4})$/i.exec(name)?.[1];
  if (ext) return ext.toUpperCase();
  if (mimetype?.startsWith("image/")) return "IMG";
  return "FILE";
}

function initial(name: string): string {
  return (name.trim()[0] ?? "?").toUpperCase();
}

function avatarColor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 42% 46%)`;
}

/** The last reply's time, with its date when it is not the root's day. */
function formatUtcDay(iso: string, rootIso: string): string {
  return iso.slice(0, 10) === rootIso.slice(0, 10) ? formatUtcTime(iso) : `${iso.slice(0, 10)} ${formatUtcTime(iso)}`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}
