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
      </nav>
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
