-- Tamper evidence over archived content (lib/compliance/content-digest.ts).
--
-- Every ingest batch that creates or changes message or version rows appends,
-- in the same transaction, one `content_batch`: a leaf per changed row (the
-- SHA-256 of the row's canonical text), the Merkle root over those leaves and
-- a hash chained to the previous batch, in a gap-free sequence. A purge
-- appends a batch of kind 'purge' whose leaves mark the removed rows.
-- `backscroll verify` recomputes every hash in its own process from the rows
-- as they are now.

-- The canonical text of a message's archived content. One definition, used
-- when writing (content_message_hash) and read by the verifier, which hashes
-- it itself. JSON gives every field an unambiguous boundary.
CREATE FUNCTION "content_message_canonical"(m "message") RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT json_build_array('message/1', m.id, m.channel_id, m.ts, m.author_id, m.thread_ts, m.subtype, m.bot_id, m.username,
    m.text, m.attachments, m.blocks, m.edited_ts, m.edited_by, m.deleted,
    to_char(m.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), m.pinned)::text
$$;
CREATE FUNCTION "content_message_hash"(m "message") RETURNS BYTEA LANGUAGE sql STABLE AS $$
  SELECT sha256(convert_to(content_message_canonical(m), 'UTF8'))
$$;

-- The canonical text of one version (an earlier or current text) of a message.
CREATE FUNCTION "content_version_canonical"(v "message_version") RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT json_build_array('version/1', v.id, v.message_id, v.text_sha256, v.text, v.valid_from_ts, v.edited_by)::text
$$;
CREATE FUNCTION "content_version_hash"(v "message_version") RETURNS BYTEA LANGUAGE sql STABLE AS $$
  SELECT sha256(convert_to(content_version_canonical(v), 'UTF8'))
$$;

-- One row per batch, in chain order (seq 1, 2, 3… without gaps: appended
-- under an advisory transaction lock).
CREATE TABLE "content_batch" (
  "seq" BIGINT PRIMARY KEY,
  "kind" TEXT NOT NULL,
  "source" TEXT,
  "ingest_run_id" INTEGER,
  "message_leaves" INTEGER NOT NULL,
  "version_leaves" INTEGER NOT NULL,
  "root" BYTEA NOT NULL,
  "prev_hash" BYTEA,
  "hash" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One row per message (version_id 0) or version written by a batch. channel_id
-- and ts name a message after its row is gone (null on version leaves).
CREATE TABLE "content_leaf" (
  "batch_seq" BIGINT NOT NULL,
  "message_id" BIGINT NOT NULL,
  "version_id" BIGINT NOT NULL DEFAULT 0,
  "channel_id" INTEGER,
  "ts" TEXT,
  "hash" BYTEA NOT NULL,
  PRIMARY KEY ("batch_seq", "message_id", "version_id")
);

-- Both are append-only: the database refuses changes (a tamperer must first
-- disable the triggers, and `verify` still sees what was changed).
CREATE FUNCTION "content_chain_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER "content_batch_no_update" BEFORE UPDATE OR DELETE ON "content_batch"
  FOR EACH ROW EXECUTE FUNCTION "content_chain_refuse_change"();
CREATE TRIGGER "content_batch_no_truncate" BEFORE TRUNCATE ON "content_batch"
  FOR EACH STATEMENT EXECUTE FUNCTION "content_chain_refuse_change"();
CREATE TRIGGER "content_leaf_no_update" BEFORE UPDATE OR DELETE ON "content_leaf"
  FOR EACH ROW EXECUTE FUNCTION "content_chain_refuse_change"();
CREATE TRIGGER "content_leaf_no_truncate" BEFORE TRUNCATE ON "content_leaf"
  FOR EACH STATEMENT EXECUTE FUNCTION "content_chain_refuse_change"();

-- Appends one batch recording every message and version that no batch
-- records yet; the same leaves, Merkle root and chain hash as the writer in
-- lib/compliance/content-digest.ts computes. Run once below, so archives
-- imported before this migration start out recorded.
CREATE FUNCTION "content_record_unrecorded"(batch_kind TEXT) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
  r RECORD;
  stack BYTEA[] := '{}';
  heights INTEGER[] := '{}';
  n INTEGER := 0;
  h BYTEA;
  ht INTEGER;
  head_seq BIGINT;
  head_hash BYTEA;
  new_seq BIGINT;
  n_messages INTEGER;
  n_versions INTEGER;
BEGIN
  PERFORM pg_advisory_xact_lock(727170002);
  SELECT seq, hash INTO head_seq, head_hash FROM content_batch ORDER BY seq DESC LIMIT 1;
  new_seq := coalesce(head_seq, 0) + 1;
  INSERT INTO content_leaf (batch_seq, message_id, version_id, channel_id, ts, hash)
    SELECT new_seq, m.id, 0, m.channel_id, m.ts, content_message_hash(m) FROM message m
    WHERE NOT EXISTS (SELECT 1 FROM content_leaf l WHERE l.message_id = m.id AND l.version_id = 0);
  GET DIAGNOSTICS n_messages = ROW_COUNT;
  INSERT INTO content_leaf (batch_seq, message_id, version_id, channel_id, ts, hash)
    SELECT new_seq, v.message_id, v.id, NULL, NULL, content_version_hash(v) FROM message_version v
    WHERE NOT EXISTS (SELECT 1 FROM content_leaf l WHERE l.message_id = v.message_id AND l.version_id = v.id);
  GET DIAGNOSTICS n_versions = ROW_COUNT;
  IF n_messages + n_versions = 0 THEN
    RETURN NULL;
  END IF;
  -- RFC 6962 Merkle tree hash over the leaves in (message_id, version_id) order.
  FOR r IN SELECT message_id, version_id, hash FROM content_leaf WHERE batch_seq = new_seq ORDER BY message_id, version_id LOOP
    h := sha256('\x00'::bytea || int8send(r.message_id) || int8send(r.version_id) || r.hash);
    ht := 0;
    WHILE n > 0 AND heights[n] = ht LOOP
      h := sha256('\x01'::bytea || stack[n] || h);
      n := n - 1;
      ht := ht + 1;
    END LOOP;
    n := n + 1;
    stack[n] := h;
    heights[n] := ht;
  END LOOP;
  h := stack[n];
  FOR i IN REVERSE n - 1 .. 1 LOOP
    h := sha256('\x01'::bytea || stack[i] || h);
  END LOOP;
  INSERT INTO content_batch (seq, kind, source, ingest_run_id, message_leaves, version_leaves, root, prev_hash, hash)
  VALUES (new_seq, batch_kind, NULL, NULL, n_messages, n_versions, h, head_hash,
    sha256(convert_to(concat_ws('|', 'content-batch/1', new_seq::text, batch_kind, n_messages::text, n_versions::text,
      encode(h, 'hex'), coalesce(encode(head_hash, 'hex'), '')), 'UTF8')));
  RETURN new_seq;
END;
$$;

SELECT content_record_unrecorded('genesis');
