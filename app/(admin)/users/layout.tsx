import type { ReactNode } from "react";
import { SiteHeader } from "@/app/_components/site-header";
import { requireUser } from "@/app/_lib/session";

export const dynamic = "force-dynamic";

/** Account administration: signed in, with the account header. */
export default async function UsersLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <>
      <SiteHeader email={user.email} role={user.role} csrfToken={user.csrfToken} />
      <main className="page">{children}</main>
    </>
  );
}
