"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** What the viewer may do with a message's hidden text (decided on the server by lib/access/policy). */
export type TMessageActionsPermissions = {
  /** Auditors and admins: show the raw text of masked or redacted messages (audited). */
  canViewRaw: boolean;
  /** Admins: redact a message, or revert a redaction (audited). */
  canRedact: boolean;
  csrfToken: string;
};

type TRawAnswer = { text: string; attachmentsText: string | null };

/**
 * The controls on a message for auditors and admins: "Show raw" on masked
 * or redacted messages (fetches the raw text; the server audits the read),
 * and for admins "Redact" (asks for a reason) or "Revert redaction".
 */
export function MessageActionsClient({
  messageId,
  isMasked,
  isRedacted,
  permissions,
}: {
  messageId: number;
  isMasked: boolean;
  isRedacted: boolean;
  permissions: TMessageActionsPermissions;
}) {
  const router = useRouter();
  const [raw, setRaw] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function call(url: string, init: RequestInit): Promise<Response | null> {
    setBusy(true);
    setError(null);
    try {
      const r = await fetch(url, { ...init, headers: { accept: "application/json", ...(init.headers ?? {}) } });
      if (!r.ok) {
        const body = (await r.json().catch(() => null)) as { message?: string } | null;
        setError(body?.message ?? `Request failed (${r.status})`);
        return null;
      }
      return r;
    } catch {
      setError("The server could not be reached.");
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function showRaw() {
    const r = await call(`/api/messages/${messageId}/raw`, { method: "GET" });
    if (!r) return;
    const body = (await r.json()) as TRawAnswer;
    setRaw(body.attachmentsText ? `${body.text}\n\n${body.attachmentsText}`.trim() : body.text);
  }

  async function redact() {
    const reason = window.prompt("Why is this message redacted? (shown in its place)");
    if (!reason?.trim()) return;
    const r = await call(`/api/messages/${messageId}/redaction`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": permissions.csrfToken },
      body: JSON.stringify({ reason: reason.trim() }),
    });
    if (r) {
      setRaw(null);
      router.refresh();
    }
  }

  async function revert() {
    if (!window.confirm("Revert this redaction? The message will read as before again.")) return;
    const r = await call(`/api/messages/${messageId}/redaction`, {
      method: "DELETE",
      headers: { "content-type": "application/json", "x-csrf-token": permissions.csrfToken },
      body: JSON.stringify({}),
    });
    if (r) {
      setRaw(null);
      router.refresh();
    }
  }

  const canShowRaw = permissions.canViewRaw && (isMasked || isRedacted);
  if (!canShowRaw && !permissions.canRedact) return null;
  return (
    <div className="message-actions" data-testid="message-actions">
      {canShowRaw &&
        (raw === null ? (
          <button type="button" className="button subtle small" onClick={showRaw} disabled={busy} data-testid="show-raw">
            Show raw
          </button>
        ) : (
          <button type="button" className="button subtle small" onClick={() => setRaw(null)} data-testid="hide-raw">
            Hide raw
          </button>
        ))}
      {permissions.canRedact &&
        (isRedacted ? (
          <button type="button" className="button subtle small" onClick={revert} disabled={busy} data-testid="revert-redaction">
            Revert redaction
          </button>
        ) : (
          <button type="button" className="button subtle small" onClick={redact} disabled={busy} data-testid="redact">
            Redact
          </button>
        ))}
      {raw !== null && (
        <pre className="raw-text" data-testid="raw-text">
          {raw}
        </pre>
      )}
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
