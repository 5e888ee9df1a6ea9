import Link from "next/link";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getPool } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { formatDayLabel, isValidDay } from "@/lib/archive/format-time";
import { buildChannelPath, findChannelDays, findChannelHighlights, findMessagesOnDay, findThread } from "@/lib/archive/service";
import type { TChannelDay, TThreadView } from "@/lib/archive/types";
import { MessageItem } from "@/app/_components/message-item";
import { Sparkline } from "@/app/_components/sparkline";
import { formatChannelTitle, loadChannel } from "@/app/_lib/channel";
import { requireViewer } from "@/app/_lib/session";
import { canRedactMessages, canViewRawText } from "@/lib/access/policy";

export const dynamic = "force-dynamic";

type TProps = {
  params: Promise<{ channelId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function one(v: string | string[] | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function dayHref(channelId: number, day: string, thread?: string): string {
  const q = new URLSearchParams({ day });
  if (thread) q.set("thread", thread);
  return `${buildChannelPath(channelId)}?${q.toString()}`;
}

/** The nearest days with messages before and after `day`. */
function findNeighbours(days: TChannelDay[], day: string): { prev: string | null; next: string | null } {
  let prev: string | null = null;
  let next: string | null = null;
  for (const d of days) {
    if (d.day < day) prev = d.day;
    else if (d.day > day && next === null) next = d.day;
  }
  return { prev, next };
}

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const channel = await loadChannel((await params).channelId);
  return { title: channel ? formatChannelTitle(channel) : "Not found" };
}

/**
 * A channel's history, one UTC day at a time (?day=YYYY-MM-DD, default the
 * latest day with messages), with a thread opened beside it (?thread=ts).
 * Channels the viewer may not read are "not found".
 */
export default async function ChannelPage({ params, searchParams }: TProps) {
  const { user, viewer } = await requireViewer();
  // Raw-text and redaction controls (the API routes check again).
  const actions =
    canViewRawText(viewer.role) || canRedactMessages(viewer.role)
      ? { canViewRaw: canViewRawText(viewer.role), canRedact: canRedactMessages(viewer.role), csrfToken: user.csrfToken }
      : null;
  const { channelId: rawId } = await params;
  const query = await searchParams;
  const channel = await loadChannel(rawId);
  if (!channel) notFound();
  const channelId = channel.id;
  const db = getPool();
  const days = await findChannelDays(db, viewer, channelId);
  const threadTs = one(query.thread);
  let thread: TThreadView | null = null;
  let isThreadMissing = false;
  if (threadTs) {
    try {
      thread = await findThread(db, viewer, channelId, threadTs);
    } catch (e) {
      if (!isAppError(e) || e.code !== "not_found") throw e;
      isThreadMissing = true;
    }
  }
  // The requested day; else the opened thread's day (a thread permalink); else the latest day.
  const requested = one(query.day);
  const day =
    requested && isValidDay(requested) ? requested : (thread?.root?.postedAt.slice(0, 10) ?? days.at(-1)?.day ?? null);
  const [messages, highlights] = await Promise.all([day ? findMessagesOnDay(db, viewer, channelId, day) : [], findChannelHighlights(db, viewer, channelId, days)]);
  const messageHref = (m: { ts: string; threadTs: string | null; postedAt: string }) => {
    const isReply = m.threadTs !== null && m.threadTs !== m.ts;
    return `${dayHref(channelId, m.postedAt.slice(0, 10), isReply ? m.threadTs! : undefined)}#m-${m.ts}`;
  };
  const { prev, next } = day ? findNeighbours(days, day) : { prev: null, next: null };
  const kindLabel = { public: "Public channel", private: "Private channel", dm: "Direct message", mpdm: "Group message" }[channel.kind];
  const title = formatChannelTitle(channel);
  const threadDay = thread?.root?.postedAt.slice(0, 10) ?? day;

  return (
    <div className={`channel-layout${threadTs ? " with-thread" : ""}`}>
      <section className="channel-history" aria-label="Messages">
        <header className="channel-header">
          <div className="channel-heading">
            <h1>{title}</h1>
            <span className="badge">{kindLabel}</span>
            {channel.archived && <span className="badge">archived</span>}
          </div>
          {channel.topic && <p className="channel-topic">{channel.topic}</p>}
          {channel.purpose && channel.purpose !== channel.topic && <p className="channel-purpose muted">{channel.purpose}</p>}
          <p className="muted small">
            {channel.messageCount.toLocaleString("en-US")} messages · {channel.memberCount} members · {days.length} days with messages · {channel.workspaceName}
          </p>
          {highlights.activityByMonth.length > 1 && (
            <p className="small muted" data-testid="channel-activity">
              <Sparkline
                values={highlights.activityByMonth.map((x) => x.messageCount)}
                width={Math.min(360, highlights.activityByMonth.length * 12)}
                height={28}
                label={`messages per month, ${highlights.activityByMonth[0]!.month} to ${highlights.activityByMonth.at(-1)!.month}`}
              />{" "}
              {highlights.activityByMonth[0]!.month} – {highlights.activityByMonth.at(-1)!.month}
            </p>
          )}
          <div className="channel-highlights">
            {highlights.pinned.length > 0 && (
              <details data-testid="pinned-messages">
                <summary>Pinned ({highlights.pinned.length})</summary>
                {highlights.pinned.map((m) => (
                  <MessageItem key={m.id} message={m} permalink={messageHref(m)} threadHref={null} />
                ))}
              </details>
            )}
            {highlights.mostReacted.length > 0 && (
              <details data-testid="most-reacted">
                <summary>Most reacted</summary>
                {highlights.mostReacted.map((m) => (
                  <MessageItem key={m.id} message={m} permalink={messageHref(m)} threadHref={null} />
                ))}
              </details>
            )}
            {highlights.memberNames.length > 0 && (
              <details data-testid="channel-members">
                <summary>Members ({channel.memberCount})</summary>
                <p className="small">{highlights.memberNames.join(", ")}{channel.memberCount > highlights.memberNames.length ? " …" : ""}</p>
              </details>
            )}
          </div>
        </header>

        {day ? (
          <nav className="day-nav" aria-label="Days">
            {prev ? (
              <Link href={dayHref(channelId, prev)} className="button" rel="prev" data-testid="prev-day">
                ← {prev}
              </Link>
            ) : (
              <span className="button disabled">← earlier</span>
            )}
            <h2 className="day-label" data-testid="day-label">
              {formatDayLabel(day)} <span className="muted">UTC</span>
            </h2>
            {next ? (
              <Link href={dayHref(channelId, next)} className="button" rel="next" data-testid="next-day">
                {next} →
              </Link>
            ) : (
              <span className="button disabled">later →</span>
            )}
            {/* Keyed by day: a client-side move to another day must reset the field. */}
            <form key={day} method="get" action={buildChannelPath(channelId)} className="day-jump">
              <label className="visually-hidden" htmlFor="day-input">
                Go to day
              </label>
              <input
                id="day-input"
                type="date"
                name="day"
                defaultValue={day}
                min={days[0]?.day}
                max={days.at(-1)?.day}
                required
              />
              <button type="submit" className="button subtle">
                Go
              </button>
            </form>
          </nav>
        ) : null}

        {days.length === 0 ? (
          <p className="empty">No messages are archived in this conversation.</p>
        ) : messages.length === 0 ? (
          <p className="empty">No messages on this day. Use the arrows to reach the nearest days with messages.</p>
        ) : (
          <div className="messages" data-testid="messages">
            {messages.map((m) => (
              <MessageItem
                key={m.id}
                message={m}
                permalink={`${dayHref(channelId, day!)}#m-${m.ts}`}
                threadHref={`${dayHref(channelId, day!, m.ts)}#thread`}
                isSelected={m.ts === threadTs || m.ts === one(query.at)}
                actions={actions}
              />
            ))}
          </div>
        )}
      </section>

      {threadTs && (
        <aside className="thread-panel" id="thread" aria-label="Thread" data-testid="thread">
          <header className="thread-header">
            <h2>Thread</h2>
            <Link href={day ? dayHref(channelId, day) : buildChannelPath(channelId)} className="button subtle" aria-label="Close thread">
              Close
            </Link>
          </header>
          {isThreadMissing || !thread ? (
            <p className="empty">This thread is not in the archive.</p>
          ) : (
            <>
              {thread.root ? (
                <MessageItem
                  message={thread.root}
                  permalink={`${dayHref(channelId, threadDay ?? thread.root.postedAt.slice(0, 10), thread.threadTs)}#m-${thread.root.ts}`}
                  threadHref={null}
                  actions={actions}
                />
              ) : (
                <p className="muted small">The first message of this thread is not in the archive.</p>
              )}
              <p className="reply-divider">
                {thread.replies.length === 1 ? "1 reply" : `${thread.replies.length} replies`}
              </p>
              <div className="thread-replies" data-testid="thread-replies">
                {thread.replies.map((m) => (
                  <MessageItem
                    key={m.id}
                    message={m}
                    permalink={`${dayHref(channelId, threadDay ?? m.postedAt.slice(0, 10), thread!.threadTs)}#m-${m.ts}`}
                    threadHref={null}
                    actions={actions}
                  />
                ))}
              </div>
            </>
          )}
        </aside>
      )}
    </div>
  );
}
