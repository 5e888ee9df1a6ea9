-- Outbox ids in commit order. Consumers read the outbox by id after their
-- cursor, so an entry must never become visible after one with a higher id:
-- otherwise a transaction that took its id early and committed late (two
-- writers side by side) is skipped for good. Each entry takes a new id while
-- its transaction commits, under a lock held until the commit is visible, so
-- ids are handed out in the order transactions commit.
CREATE FUNCTION "search_outbox_commit_order"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727170003);
  UPDATE search_outbox SET id = nextval(pg_get_serial_sequence('search_outbox', 'id')) WHERE id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER "search_outbox_commit_order" AFTER INSERT ON "search_outbox"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "search_outbox_commit_order"();
