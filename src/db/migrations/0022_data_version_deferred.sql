-- A long transaction that writes many registry statements (an import chunk) may bump its county's
-- data_version once, just before it commits, instead of at its first statement: the trigger
-- function stands aside while the transaction-local setting renkou.defer_data_version is 'on',
-- and the writer bumps the counter itself (src/db/data-version.ts). The counter's row
-- lock is then held for the moment before COMMIT, not for the whole chunk — a clerk's save in the
-- same county no longer waits for an upload's chunk to finish.
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('renkou.defer_data_version', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO data_version (county_code, version, changed_at)
  SELECT DISTINCT county_code, 1, now() FROM changed_rows
  ON CONFLICT (county_code) DO UPDATE SET version = data_version.version + 1, changed_at = now();
  RETURN NULL;
END $$;
