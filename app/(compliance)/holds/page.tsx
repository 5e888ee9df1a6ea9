import type { Metadata } from "next";
import { getPool } from "@/lib/db";
import { canManageHolds, listLegalHolds } from "@/lib/compliance/holds";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Legal holds" };

const CELL = { padding: "4px 16px 4px 0", textAlign: "left", verticalAlign: "top" } as const;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "…");

/** Legal holds (admins and auditors): list, place, release. Every change is audited. */
export default async function HoldsPage() {
  const { user } = await requireViewer();
  if (!canManageHolds(user.role)) {
    return (
      <div className="empty" data-testid="forbidden">
        Only auditors and administrators manage legal holds.
      </div>
    );
  }
  const holds = await listLegalHolds(getPool());
  return (
    <>
      <div className="page-title">
        <h1>Legal holds</h1>
        <p className="muted">
          While a hold is active, no message in its scope is purged by retention. Empty channels or people mean all; dates are UTC, the end date included.
        </p>
      </div>
      <table data-testid="holds">
        <thead>
          <tr>
            <th style={CELL}>#</th>
            <th style={CELL}>Name</th>
            <th style={CELL}>Scope</th>
            <th style={CELL}>Messages</th>
            <th style={CELL}>State</th>
          </tr>
        </thead>
        <tbody>
          {holds.map((h) => (
            <tr key={h.id} data-active={h.active ? "true" : "false"}>
              <td style={CELL}>{h.id}</td>
              <td style={CELL}>
                {h.name}
                <div className="muted small">{h.reason}</div>
              </td>
              <td style={CELL}>
                {h.channelIds.length ? `${h.channelIds.length} channel(s)` : "all channels"}, {h.personIds.length ? `${h.personIds.length} person(s)` : "everyone"},{" "}
                {day(h.fromAt)} – {day(h.toAt ? new Date(h.toAt.getTime() - 1) : null)}
              </td>
              <td style={CELL}>{h.active ? h.messages.toLocaleString("en") : "—"}</td>
              <td style={CELL}>
                {h.active ? (
                  <form method="post" action={`/api/holds/${h.id}/release`} className="inline-form">
                    <input type="hidden" name="csrf" value={user.csrfToken} />
                    <input name="reason" placeholder="reason for release" required aria-label={`Reason to release hold ${h.id}`} />{" "}
                    <button type="submit" className="button subtle">
                      Release
                    </button>
                  </form>
                ) : (
                  <span className="muted small">
                    released {day(h.releasedAt)} by {h.releasedBy ?? "—"}: {h.releaseReason}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Place a hold</h2>
      <form method="post" action="/api/holds" data-testid="hold-form">
        <input type="hidden" name="csrf" value={user.csrfToken} />
        <p>
          <label htmlFor="hold-name">Name</label> <input id="hold-name" name="name" required />{" "}
          <label htmlFor="hold-reason">Reason</label> <input id="hold-reason" name="reason" required size={40} />
        </p>
        <p>
          <label htmlFor="hold-channels">Channels</label> <input id="hold-channels" name="channels" placeholder="general, C024BE91L" />{" "}
          <label htmlFor="hold-people">People</label> <input id="hold-people" name="people" placeholder="U024BE7LH, alice@example.com" />
        </p>
        <p>
          <label htmlFor="hold-from">From</label> <input id="hold-from" type="date" name="from" /> <label htmlFor="hold-to">To</label>{" "}
          <input id="hold-to" type="date" name="to" />{" "}
          <button type="submit" className="button">
            Place hold
          </button>
        </p>
      </form>
    </>
  );
}
