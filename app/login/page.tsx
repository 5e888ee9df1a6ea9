import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sanitizeNextPath } from "@/lib/auth/redirect";
import { getEnv } from "@/lib/env";
import { isLocalLoginEnabled, listOidcProviderButtons } from "@/lib/auth/oidc-providers";
import { getCurrentUser } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

// Only these fixed messages are shown; nothing from the URL is echoed.
const ERRORS: Record<string, string> = {
  invalid: "Wrong email or password.",
  rate_limited: "Too many failed attempts. Wait 15 minutes, then try again.",
  origin: "This sign-in request came from another site and was refused.",
  local_disabled: "Password sign-in is turned off here; use your organisation's sign-in.",
  oidc_unavailable: "That sign-in method is not configured.",
  oidc_state: "The sign-in could not be verified (it expired or was started in another browser). Try again.",
  oidc_denied: "The sign-in was cancelled or refused at the identity provider.",
  oidc_email: "Your identity provider did not confirm a verified e-mail address for your account.",
  oidc_domain: "Accounts with this e-mail domain may not sign in here.",
  oidc_team: "Sign in with the Slack workspace this archive belongs to.",
  oidc_no_account: "There is no Backscroll account for you yet. Ask an administrator to create one.",
  oidc_disabled: "This account is disabled.",
  oidc_failed: "Sign-in through the identity provider failed. Try again, or ask an administrator.",
};

type TProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The sign-in page: the password form (posting to /api/auth/login) unless
 * LOCAL_LOGIN=false, and a "Sign in with <provider>" link per configured
 * OpenID Connect provider (Sign in with Slack included).
 */
export default async function LoginPage({ searchParams }: TProps) {
  const query = await searchParams;
  const next = sanitizeNextPath(typeof query.next === "string" ? query.next : "/");
  if (await getCurrentUser()) redirect(next);
  const error = typeof query.error === "string" ? ERRORS[query.error] : undefined;
  const env = getEnv();
  const localLogin = isLocalLoginEnabled(env);
  const providers = listOidcProviderButtons(env);
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
        {localLogin && (
          <>
            <input type="hidden" name="next" value={next} />
            <label htmlFor="email">Email</label>
            <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
            <label htmlFor="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required />
            <button type="submit" className="button primary">
              Sign in
            </button>
          </>
        )}
        {providers.length > 0 && (
          <div className="login-providers" data-testid="login-providers">
            {providers.map((p) => (
              // A plain link: the start route answers with a redirect to the provider.
              <a key={p.id} className={localLogin ? "button" : "button primary"} href={`${p.startPath}?next=${encodeURIComponent(next)}`}>
                Sign in with {p.label}
              </a>
            ))}
          </div>
        )}
      </form>
    </main>
  );
}
