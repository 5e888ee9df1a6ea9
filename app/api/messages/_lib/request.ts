import "server-only";
import { AppError } from "@/lib/errors";

/** The `[messageId]` route parameter (message.id), or AppError not_found. */
export async function readMessageId(params: Promise<{ messageId: string }>): Promise<number> {
  const raw = (await params).messageId;
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError("not_found", "message not found");
  return id;
}
