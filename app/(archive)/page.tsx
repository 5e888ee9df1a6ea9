import type { Metadata } from "next";
import Link from "next/link";
import { getPool } from "@/lib/db";
import type { TChannelKind } from "@/lib/access/types";
import { formatUtcDateTime } from "@/lib/archive/format-time";
import { buildChannelPath, listChannelsForViewer } from "@/lib/archive/service";
import type { TChannelSummary } from "@/lib/archive/types";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Channels" };

const GROUPS: { kind: TChannelKind; title: string }[] = [
  { kind: "public", title: "Public channels" },
  { kind: "private", title: "Private channels" },
  { kind: "dm", title: "Direct messages" },
  { kind: "mpdm", title: "Group messages" },
];

/** The channel directory: every conversation the viewer may read, by kind. */
export default async function DirectoryPage() {
  const { viewer } = await requireViewer();
  const channels = await listChannelsForViewer(getPool(), viewer);
  const total = channels.reduce((n, c) => n + c.messageCount, 0);
  return (
    <>
      <div className="page-title">
        <h1>Channels</h1>
        <p className="muted">
          {channels.length} conversations · {total.toLocaleString("en-US")} messages archived · times in UTC
        </p>
      </div>
      {channels.length === 0 && <p className="empty">No conversations are archived yet, or none is visible to you.</p>}
      {GROUPS.map(({ kind, title }) => {
        const list = channels.filter((c) => c.kind === kind);
        if (list.length === 0) return null;
        return (
          <section key={kind} className="directory-group" aria-labelledby={`group-${kind}`}>
            <h2 id={`group-${kind}`}>
              {title} <span className="count">{list.length}</span>
            </h2>
            <ul className="channel-list" data-testid={`channels-${kind}`}>
              {list.map((c) => (
                <ChannelRow key={c.id} channel={c} />
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}

function ChannelRow({ channel: c }: { channel: TChannelSummary }) {
  const prefix = c.kind === "public" ? "#" : "";
  return (
    <li className="channel-row">
      <div className="channel-row-main">
        <Link href={buildChannelPath(c.id)} className="channel-name">
          {prefix}
          {c.label}
        </Link>
        {c.archived && <span className="badge">archived</span>}
        {c.topic && <p className="channel-topic">{c.topic}</p>}
        {c.purpose && c.purpose !== c.topic && <p className="channel-purpose muted">{c.purpose}</p>}
      </div>
      <dl className="channel-stats">
        <div>
          <dt>Messages</dt>
          <dd>{c.messageCount.toLocaleString("en-US")}</dd>
        </div>
        <div>
          <dt>Members</dt>
          <dd>{c.memberCount.toLocaleString("en-US")}</dd>
        </div>
        <div>
          <dt>Last activity</dt>
          <dd>{c.lastActivityAt ? <time dateTime={c.lastActivityAt}>{formatUtcDateTime(c.lastActivityAt)}</time> : "—"}</dd>
        </div>
      </dl>
    </li>
  );
}
