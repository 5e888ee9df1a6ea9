import type { Metadata } from "next";
import { getPool } from "@/lib/db";
import { canManageAccounts, listUsers } from "@/lib/auth/users";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Accounts" };

const CELL = { padding: "4px 16px 4px 0", textAlign: "left", verticalAlign: "top" } as const;
const when = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "never");

/** Accounts (administrators): roles, disabling, the link to a chat person, and new accounts. Every change is audited. */
export default async function UsersPage() {
  const { user } = await requireViewer();
  if (!canManageAccounts(user.role)) {
    return (
      <div className="empty" data-testid="forbidden">
        Only administrators manage accounts.
      </div>
    );
  }
  const users = await listUsers(getPool());
  return (
    <>
      <div className="page-title">
        <h1>Accounts</h1>
        <p className="muted">
          Admins manage everything; auditors read every conversation (audited) and make exports; members read public channels and the private channels and DMs
          of the chat person their account is linked to. Disabling an account ends its sessions at once. Every change is in the audit log.
        </p>
      </div>
      <table data-testid="accounts">
        <thead>
          <tr>
            <th style={CELL}>Account</th>
            <th style={CELL}>Role and person</th>
            <th style={CELL}>Last sign-in</th>
            <th style={CELL}>Status</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`account-${u.email}`}>
              <td style={CELL}>
                {u.email}
                {u.personName && <div className="muted small">{u.personName}</div>}
              </td>
              <td style={CELL}>
                <form method="post" action={`/api/users/${u.id}`} className="inline-form">
                  <input type="hidden" name="csrf" value={user.csrfToken} />
                  <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                    Role
                  </label>
                  <select id={`role-${u.id}`} name="role" defaultValue={u.role} data-testid="role">
                    <option value="member">member</option>
                    <option value="auditor">auditor</option>
                    <option value="admin">admin</option>
                  </select>{" "}
                  <label className="visually-hidden" htmlFor={`person-${u.id}`}>
                    Chat person
                  </label>
                  <input id={`person-${u.id}`} name="person" defaultValue={u.personExternalId ?? ""} placeholder="Slack user id" size={12} />{" "}
                  <button type="submit" className="button subtle" data-testid="save">
                    Save
                  </button>
                </form>
              </td>
              <td style={CELL}>{when(u.lastLoginAt)}</td>
              <td style={CELL}>
                <form method="post" action={`/api/users/${u.id}`} className="inline-form">
                  <input type="hidden" name="csrf" value={user.csrfToken} />
                  <input type="hidden" name="disabled" value={u.disabled ? "false" : "true"} />
                  {u.disabled ? "disabled " : "active "}
                  <button type="submit" className="button subtle" data-testid={u.disabled ? "enable" : "disable"}>
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New account</h2>
      <form method="post" action="/api/users" className="inline-form" data-testid="new-account">
        <input type="hidden" name="csrf" value={user.csrfToken} />
        <label htmlFor="new-email">E-mail</label> <input id="new-email" name="email" type="email" required />{" "}
        <label htmlFor="new-role">Role</label>{" "}
        <select id="new-role" name="role" defaultValue="member">
          <option value="member">member</option>
          <option value="auditor">auditor</option>
          <option value="admin">admin</option>
        </select>{" "}
        <label htmlFor="new-password">Password</label> <input id="new-password" name="password" type="password" minLength={8} required autoComplete="new-password" />{" "}
        <label htmlFor="new-person">Person</label> <input id="new-person" name="person" placeholder="Slack user id (optional)" size={14} />{" "}
        <button type="submit" className="button">
          Create
        </button>
      </form>
    </>
  );
}
