-- A person's kommune is checked without locking the kommune's row (docs/benchmarks.md, issue #8).
--
-- The foreign key person.kommune_code → kommune.code made every create of a person take a
-- KEY SHARE lock on its kommune's row. Concurrent creates in one kommune (an import, a
-- constitution) then share that lock, which PostgreSQL keeps as a multixact: creating and
-- extending one per insert cost more than the rest of the insert together (the writer's INSERT
-- of a person ran at 0.43× of a one-row INSERT with the foreign key, 0.73× without, change log
-- aside). There are eleven kommuner, written a few times a year; persons are written all year.
-- So the two sides now guard the rule unevenly:
--
-- * a person's insert (or a change of its kommune) checks that the kommune exists, reading it
--   without a row lock;
-- * a kommune's delete first takes a SHARE lock on person, which waits for every transaction
--   that is writing persons to finish and keeps new ones out until the delete's transaction
--   ends, and then looks for persons of that kommune with a fresh snapshot.
--
-- A person's check that runs before a concurrent delete commits holds person's ROW EXCLUSIVE
-- lock, so the delete waits for it and then sees the person; a person's write that starts after
-- the delete took its lock waits for the delete to end, and its check then sees the kommune
-- gone. Either way no person refers to a kommune that does not exist. Both raise what the
-- foreign key raised (SQLSTATE 23503, constraint person_kommune_code_fkey, table person), so the
-- error map (persistence/src/pg_errors.cpp) and the API's answers are unchanged. A kommune's
-- code is its key and the API never changes it; a change made in SQL is guarded like a delete. A
-- TRUNCATE of kommune is an operator's act outside the API and not guarded.

ALTER TABLE person DROP CONSTRAINT person_kommune_code_fkey;

CREATE FUNCTION kkr_person_kommune_exists() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    PERFORM 1 FROM kommune WHERE code = NEW.kommune_code;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'insert or update on table "person" violates foreign key constraint "person_kommune_code_fkey"'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'person_kommune_code_fkey',
              TABLE = 'person', SCHEMA = TG_TABLE_SCHEMA,
              DETAIL = format('Key (kommune_code)=(%s) is not present in table "kommune".',
                              NEW.kommune_code);
    END IF;
    RETURN NULL;
  END
  $$;

CREATE TRIGGER person_kommune_exists AFTER INSERT OR UPDATE OF kommune_code ON person
  FOR EACH ROW EXECUTE FUNCTION kkr_person_kommune_exists();

CREATE FUNCTION kkr_kommune_unreferenced() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    LOCK TABLE person IN SHARE MODE;
    PERFORM 1 FROM person WHERE kommune_code = OLD.code LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'update or delete on table "kommune" violates foreign key constraint "person_kommune_code_fkey" on table "person"'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'person_kommune_code_fkey',
              TABLE = 'person', SCHEMA = TG_TABLE_SCHEMA,
              DETAIL = format('Key (code)=(%s) is still referenced from table "person".', OLD.code);
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END
  $$;

CREATE TRIGGER kommune_unreferenced BEFORE DELETE ON kommune
  FOR EACH ROW EXECUTE FUNCTION kkr_kommune_unreferenced();
CREATE TRIGGER kommune_code_unreferenced BEFORE UPDATE ON kommune
  FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
  EXECUTE FUNCTION kkr_kommune_unreferenced();
