-- Search speed. `from:@name` also finds messages posted under a display name
-- only (integrations without a user: author_id IS NULL, username set). With
-- this index the filter is a bitmap OR of two index scans (author_id, and
-- this) instead of a test of every message.
CREATE INDEX IF NOT EXISTS "message_username_lower_idx" ON "message" (lower("username")) WHERE "author_id" IS NULL;
