import type { ReactNode } from "react";
import { SiteHeader } from "@/app/_components/site-header";
import { requireUser } from "@/app/_lib/session";

export const dynamic = "force-dynamic";

/** Compliance pages (exports, audit log): signed in, with the account header; each page checks the role. */
export default async function ComplianceLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <>
      <SiteHeader email={user.email} role={user.role} csrfToken={user.csrfToken} />
      <main className="page">{children}</main>
    </>
  );
}
