-- Whether a message is pinned now, in one place for every reader (channel
-- page, search, retention, the search index): its latest pin or unpin event
-- decides (an unpin after a pin clears it); without events, what the source
-- said when the message was archived.
CREATE FUNCTION "message_pinned_now"(p_channel_id integer, p_ts text, p_pinned boolean) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(
    (SELECT pe.kind = 'pin' FROM channel_event pe
      WHERE pe.channel_id = p_channel_id AND pe.value = p_ts AND pe.kind IN ('pin', 'unpin')
      ORDER BY pe.occurred_at DESC, pe.ts DESC LIMIT 1),
    p_pinned)
$$;

-- A pin or unpin changes what a derived search index holds for the message
-- (its pinned flag): queue the message for re-indexing, as message writes do.
CREATE FUNCTION "channel_event_pin_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_outbox (op, message_ids)
    SELECT 'upsert', jsonb_agg(DISTINCT m.id)
    FROM new_rows e JOIN message m ON m.channel_id = e.channel_id AND m.ts = e.value
    WHERE e.kind IN ('pin', 'unpin')
    HAVING count(*) > 0;
  RETURN NULL;
END
$$;
CREATE TRIGGER "channel_event_pin_outbox_insert" AFTER INSERT ON "channel_event"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "channel_event_pin_outbox"();
