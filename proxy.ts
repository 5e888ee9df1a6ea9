import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth/cookie";

/**
 * The cheap first gate: a page request without a session cookie goes to
 * /login?next=… before anything renders. Whether the cookie's session is
 * valid is decided by the pages themselves (app/_lib/session.ts), through
 * lib/auth. The requested path is passed on in `x-backscroll-path` so a
 * page that finds the session expired can send the user back after sign-in.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const here = pathname + search;
  if (!request.cookies.get(SESSION_COOKIE)?.value) {
    const login = request.nextUrl.clone();
    login.pathname = "/login";
    login.search = `?next=${encodeURIComponent(here)}`;
    return NextResponse.redirect(login);
  }
  const headers = new Headers(request.headers);
  headers.set("x-backscroll-path", here);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Everything but the sign-in page, the API (which answers 401 itself) and static assets.
  matcher: ["/((?!login|api/|_next/|favicon\\.ico|robots\\.txt).*)"],
};
