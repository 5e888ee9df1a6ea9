-- Tamper evidence for the audit log: every row carries the SHA-256 of its
-- content chained to the previous row's hash, in a gap-free sequence assigned
-- under a lock, so a changed, removed or inserted row breaks the chain.
ALTER TABLE "audit_event" ADD COLUMN "chain_seq" BIGINT, ADD COLUMN "prev_hash" TEXT, ADD COLUMN "hash" TEXT;
CREATE UNIQUE INDEX "audit_event_chain_seq_key" ON "audit_event" ("chain_seq");

-- The canonical text of a row; `backscroll verify` rebuilds the same text.
CREATE FUNCTION "audit_event_canonical"(prev TEXT, seq BIGINT, r "audit_event") RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(E'\x1f', coalesce(prev, ''), seq::text, r.id::text,
    to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), coalesce(r.actor_id::text, ''), coalesce(r.actor, ''),
    r.action, coalesce(r.target, ''), r.details::text, coalesce(r.ip, ''))
$$;

CREATE FUNCTION "audit_event_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq BIGINT;
  last_hash TEXT;
BEGIN
  -- One writer at a time extends the chain; held until commit.
  PERFORM pg_advisory_xact_lock(727170001);
  SELECT chain_seq, hash INTO last_seq, last_hash FROM audit_event WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := last_hash;
  NEW.hash := encode(sha256(convert_to(audit_event_canonical(last_hash, NEW.chain_seq, NEW), 'UTF8')), 'hex');
  RETURN NEW;
END;
$$;
CREATE TRIGGER "audit_event_chain" BEFORE INSERT ON "audit_event" FOR EACH ROW EXECUTE FUNCTION "audit_event_chain"();

-- Rows written before this migration join the chain in id order.
ALTER TABLE "audit_event" DISABLE TRIGGER "audit_event_no_update";
DO $$
DECLARE
  r "audit_event";
  seq BIGINT := 0;
  h TEXT := NULL;
BEGIN
  FOR r IN SELECT * FROM audit_event ORDER BY id LOOP
    seq := seq + 1;
    UPDATE audit_event SET chain_seq = seq, prev_hash = h,
      hash = encode(sha256(convert_to(audit_event_canonical(h, seq, r), 'UTF8')), 'hex')
      WHERE id = r.id RETURNING hash INTO h;
  END LOOP;
END;
$$;
ALTER TABLE "audit_event" ENABLE TRIGGER "audit_event_no_update";
