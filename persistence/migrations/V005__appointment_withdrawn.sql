-- The appointment workflow (docs/workflow.md, issue #10): nominated → appointed → ended, and
-- nominated → withdrawn, a new status for a nomination that is taken back. Ended and withdrawn
-- are final.
--
-- The service checks every status change on the row it has locked, in the write's own
-- transaction, and answers 409 with the allowed next states; the trigger below is a second
-- guard for anything that writes the table without the service. It raises a check violation
-- named appointment_status_transition, which the error map turns into a 409 as well.

ALTER TABLE appointment DROP CONSTRAINT appointment_status_check;
ALTER TABLE appointment ADD CONSTRAINT appointment_status_check
  CHECK (status IN ('nominated', 'appointed', 'ended', 'withdrawn'));

-- A withdrawn nomination holds no place: the same person may be nominated again for the same
-- dates, and it blocks no chair or vice chair (nor does a pending nomination, as before).
ALTER TABLE appointment DROP CONSTRAINT appointment_person_no_overlap;
ALTER TABLE appointment ADD CONSTRAINT appointment_person_no_overlap
  EXCLUDE USING gist (person_id WITH =, forum_id WITH =,
                      daterange(start_date, end_date, '[]') WITH &&)
  WHERE (status <> 'withdrawn');
ALTER TABLE appointment DROP CONSTRAINT appointment_one_officer;
ALTER TABLE appointment ADD CONSTRAINT appointment_one_officer
  EXCLUDE USING gist (forum_id WITH =, role WITH =, daterange(start_date, end_date, '[]') WITH &&)
  WHERE (role IN ('chair', 'vice_chair') AND status IN ('appointed', 'ended'));

CREATE FUNCTION kkr_appointment_status_transition() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    IF NEW.status = OLD.status
       OR (OLD.status = 'nominated' AND NEW.status IN ('appointed', 'withdrawn'))
       OR (OLD.status = 'appointed' AND NEW.status = 'ended') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'an appointment that is % cannot become %', OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointment_status_transition',
            TABLE = 'appointment', SCHEMA = TG_TABLE_SCHEMA;
  END
  $$;

CREATE TRIGGER appointment_status_transition BEFORE UPDATE OF status ON appointment
  FOR EACH ROW EXECUTE FUNCTION kkr_appointment_status_transition();
