import Link from "next/link";

/** The top bar: brand, the signed-in account, and sign-out (a CSRF-protected POST). */
export function SiteHeader({ email, role, csrfToken }: { email: string; role: string; csrfToken: string }) {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        Backscroll
      </Link>
      <nav className="site-nav">
        <Link href="/">Channels</Link>
        <Link href="/commands">Commands</Link>
        <Link href="/search">Search</Link>
        <Link href="/incidents">Incidents</Link>
        {role === "admin" && <Link href="/sources">Sources</Link>}
        {(role === "admin" || role === "auditor") && <Link href="/exports">Exports</Link>}
        {(role === "admin" || role === "auditor") && <Link href="/audit">Audit</Link>}
        {(role === "admin" || role === "auditor") && <Link href="/holds">Holds</Link>}
        {role === "admin" && <Link href="/retention">Retention</Link>}
        {role === "admin" && <Link href="/users">Accounts</Link>}
      </nav>
      <form method="get" action="/search" className="header-search" role="search">
        <input type="search" name="q" placeholder="Search" aria-label="Search the archive" data-testid="header-search" />
      </form>
      <div className="account">
        <span className="account-email" data-testid="account-email">
          {email}
        </span>
        <span className={`badge role-${role}`}>{role}</span>
        <form action="/api/auth/logout" method="post" className="inline-form">
          <input type="hidden" name="csrf" value={csrfToken} />
          <button type="submit" className="button subtle">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
