import { z } from "zod";

/**
 * The lines of a Mattermost bulk export (`mmctl export create`, JSONL): one
 * object per line with a `type` and a payload under the key of that name.
 * Only the fields read are checked; the rest is kept in `raw`.
 */

export const ZMmReaction = z.looseObject({ user: z.string().min(1), create_at: z.number().int().nullish(), emoji_name: z.string().min(1) });

const ZPostCore = {
  user: z.string().min(1),
  message: z.string().nullish(),
  create_at: z.number().int().nonnegative(),
  edit_at: z.number().int().nullish(),
  update_at: z.number().int().nullish(),
  is_pinned: z.boolean().nullish(),
  type: z.string().nullish(),
  reactions: z.array(ZMmReaction).nullish(),
  attachments: z.array(z.looseObject({ path: z.string().min(1) })).nullish(),
};

export const ZMmReply = z.looseObject(ZPostCore);

export const ZMmTeam = z.looseObject({ name: z.string().min(1), display_name: z.string().nullish(), type: z.string().nullish() });
export const ZMmChannel = z.looseObject({
  team: z.string().min(1),
  name: z.string().min(1),
  display_name: z.string().nullish(),
  type: z.enum(["O", "P"]),
  header: z.string().nullish(),
  purpose: z.string().nullish(),
});
export const ZMmUser = z.looseObject({
  username: z.string().min(1),
  email: z.string().nullish(),
  nickname: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  position: z.string().nullish(),
  delete_at: z.number().int().nullish(),
  teams: z
    .array(z.looseObject({ name: z.string().min(1), channels: z.array(z.looseObject({ name: z.string().min(1) })).nullish() }))
    .nullish(),
});
export const ZMmPost = z.looseObject({ team: z.string().min(1), channel: z.string().min(1), ...ZPostCore, replies: z.array(ZMmReply).nullish() });
export const ZMmDirectChannel = z.looseObject({ members: z.array(z.string().min(1)).min(1), header: z.string().nullish() });
export const ZMmDirectPost = z.looseObject({
  channel_members: z.array(z.string().min(1)).min(1),
  ...ZPostCore,
  replies: z.array(ZMmReply).nullish(),
});

export const ZMmLine = z.looseObject({ type: z.string().min(1) });

/** Payload schema per line type; other types (version, emoji, scheme, role, bot…) are skipped. */
export const MM_PAYLOADS = {
  team: ZMmTeam,
  channel: ZMmChannel,
  user: ZMmUser,
  post: ZMmPost,
  direct_channel: ZMmDirectChannel,
  direct_post: ZMmDirectPost,
} as const;

export type TMmTeam = z.infer<typeof ZMmTeam>;
export type TMmChannel = z.infer<typeof ZMmChannel>;
export type TMmUser = z.infer<typeof ZMmUser>;
export type TMmPost = z.infer<typeof ZMmPost>;
export type TMmReply = z.infer<typeof ZMmReply>;
export type TMmDirectChannel = z.infer<typeof ZMmDirectChannel>;
export type TMmDirectPost = z.infer<typeof ZMmDirectPost>;
