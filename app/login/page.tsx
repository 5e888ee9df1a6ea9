import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sanitizeNextPath } from "@/lib/auth/redirect";
import { getCurrentUser } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

// Only these fixed messages are shown; nothing from the URL is echoed.
const ERRORS: Record<string, string> = {
  invalid: "Wrong email or password.",
  rate_limited: "Too many failed attempts. Wait 15 minutes, then try again.",
  origin: "This sign-in request came from another site and was refused.",
};

type TProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The sign-in form; it posts to /api/auth/login. */
export default async function LoginPage({ searchParams }: TProps) {
  const query = await searchParams;
  const next = sanitizeNextPath(typeof query.next === "string" ? query.next : "/");
  if (await getCurrentUser()) redirect(next);
  const error = typeof query.error === "string" ? ERRORS[query.error] : undefined;
  return (
    <main className="login-page">
      <form action="/api/auth/login" method="post" className="login-card">
        <h1>Backscroll</h1>
        <p className="muted">Sign in to browse the chat archive.</p>
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <input type="hidden" name="next" value={next} />
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <button type="submit" className="button primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
