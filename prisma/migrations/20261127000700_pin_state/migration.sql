-- A message's current pin state is its latest pin/unpin event (when there is
-- one): looked up per message by channel and pinned item ts.
CREATE INDEX "channel_event_channel_id_value_idx" ON "channel_event" ("channel_id", "value");
