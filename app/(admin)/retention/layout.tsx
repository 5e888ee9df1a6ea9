import type { ReactNode } from "react";
import { SiteHeader } from "@/app/_components/site-header";
import { requireUser } from "@/app/_lib/session";

export const dynamic = "force-dynamic";

/** Admin pages about retention: signed in, with the account header. */
export default async function RetentionLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <>
      <SiteHeader email={user.email} role={user.role} csrfToken={user.csrfToken} />
      <main className="page">{children}</main>
    </>
  );
}
