import type { ReactNode } from "react";
import { SiteHeader } from "@/app/_components/site-header";
import { requireUser } from "@/app/_lib/session";

export const dynamic = "force-dynamic";

/** Admin pages (sources, retention, accounts): signed in, with the account header; each page checks the role. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <>
      <SiteHeader email={user.email} role={user.role} csrfToken={user.csrfToken} />
      <main className="page">{children}</main>
    </>
  );
}
