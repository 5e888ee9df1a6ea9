import { z } from "zod";

/**
 * zod schemas for the raw files of a Slack export. They check the fields the
 * adapter reads (so a wrong type fails with its file, entry and field) and
 * keep everything else (`looseObject`): Slack adds fields every year, and the
 * archive keeps the raw record. Optional fields accept `null` as well as
 * absence, because exporters (slackdump, Enterprise Grid) write `null` where
 * Slack's own export omits the key.
 */

const TS = /^\d+(\.\d+)?$/;

/** A Slack timestamp, always a string ("1450000000.000100"), never a JSON number. */
export const ZSlackTs = z.string().regex(TS, { message: 'expected a Slack timestamp string like "1450000000.000100"' });

const zStr = z.string().nullish();

/** Unix seconds; Slack writes numbers, some older exports numeric strings ("1433558319"). */
export const ZUnixTime = z.union([z.number(), z.string().regex(TS, { message: "expected unix seconds" })]);

export const ZSlackReaction = z.looseObject({
  name: z.string(),
  users: z.array(z.string()).nullish(),
  count: z.number().int().nonnegative().nullish(),
});

export const ZSlackFile = z.looseObject({
  id: zStr,
  name: zStr,
  title: zStr,
  mimetype: zStr,
  filetype: zStr,
  size: z.number().nullish(),
  user: zStr,
  created: ZUnixTime.nullish(),
  url_private: zStr,
  permalink: zStr,
  mode: zStr,
});
export type TSlackFile = z.output<typeof ZSlackFile>;

const messageFields = {
  type: zStr,
  subtype: zStr,
  ts: ZSlackTs,
  user: zStr,
  bot_id: zStr,
  username: zStr,
  text: zStr,
  thread_ts: ZSlackTs.nullish(),
  reply_count: z.number().int().nonnegative().nullish(),
  edited: z.looseObject({ user: zStr, ts: ZSlackTs.nullish() }).nullish(),
  reactions: z.array(ZSlackReaction).nullish(),
  files: z.array(ZSlackFile).nullish(),
  /** Legacy single file (file_share, file_comment before 2019). */
  file: ZSlackFile.nullish(),
  // Their inner shapes vary widely; search text is extracted defensively.
  attachments: z.array(z.unknown()).nullish(),
  blocks: z.array(z.unknown()).nullish(),
  pinned_to: z.array(z.string()).nullish(),
  hidden: z.boolean().nullish(),
  /** file_comment: an object in real exports; a bare string is tolerated. */
  comment: z.union([z.string(), z.looseObject({ user: zStr, comment: zStr })]).nullish(),
  bot_profile: z.looseObject({ name: zStr }).nullish(),
  team: zStr,
  user_team: zStr,
};

/** A message as nested in `message_changed` (`message`, `previous_message`). */
export const ZSlackInnerMessage = z.looseObject(messageFields);
export type TSlackInnerMessage = z.output<typeof ZSlackInnerMessage>;

/** One entry of a day file that is a message (any subtype that is not a channel event). */
export const ZSlackMessage = z.looseObject({
  ...messageFields,
  message: ZSlackInnerMessage.nullish(),
  previous_message: ZSlackInnerMessage.nullish(),
  /** message_deleted: the ts of the deleted message. */
  deleted_ts: ZSlackTs.nullish(),
});
export type TSlackMessage = z.output<typeof ZSlackMessage>;

/**
 * One entry of a day file that is a channel event (join, topic, …). Checked
 * separately because `topic`, `purpose` and `name` mean different things
 * (or nothing) on other entries.
 */
export const ZSlackEventEntry = z.looseObject({
  type: zStr,
  subtype: z.string(),
  ts: ZSlackTs,
  user: zStr,
  text: zStr,
  inviter: zStr,
  topic: zStr,
  purpose: zStr,
  name: zStr,
  old_name: zStr,
  item: z.looseObject({ ts: ZSlackTs.nullish(), message: z.looseObject({ ts: ZSlackTs.nullish() }).nullish() }).nullish(),
  attachments: z.array(z.unknown()).nullish(),
});
export type TSlackEventEntry = z.output<typeof ZSlackEventEntry>;

export const ZSlackUser = z.looseObject({
  id: z.string().min(1),
  team_id: zStr,
  name: zStr,
  real_name: zStr,
  deleted: z.boolean().nullish(),
  tz: zStr,
  is_bot: z.boolean().nullish(),
  is_app_user: z.boolean().nullish(),
  profile: z
    .looseObject({
      real_name: zStr,
      display_name: zStr,
      email: zStr,
      title: zStr,
      bot_id: zStr,
    })
    .nullish(),
});
export type TSlackUser = z.output<typeof ZSlackUser>;

const ZTopic = z.looseObject({ value: zStr }).nullish();

/** An entry of channels.json, groups.json, dms.json or mpims.json. */
export const ZSlackConversation = z.looseObject({
  id: z.string().min(1),
  name: zStr,
  created: ZUnixTime.nullish(),
  creator: zStr,
  is_archived: z.boolean().nullish(),
  topic: ZTopic,
  purpose: ZTopic,
  members: z.array(z.string()).nullish(),
  /** Pinned items as listed in old exports: `id` is the message ts. */
  pins: z.array(z.looseObject({ id: zStr })).nullish(),
});
export type TSlackConversation = z.output<typeof ZSlackConversation>;
