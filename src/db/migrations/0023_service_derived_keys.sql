-- Service records imported without a record number (import_key) get the key renkou now derives for
-- such rows (deriveImportKey in src/services/import-services.ts), so that importing the file they
-- came from again finds them instead of writing them a second time. The same text, hashed the same
-- way: the kind, the person's and the related person's ID numbers, the service date, the provider
-- (NFKC, every run of blanks one space, trimmed), the outcome code and the quantity, one per line
-- (test/services-import.test.ts holds this statement and the function to each other). Records
-- entered one at a time (source 'entry') are not imports and keep no key. Where the same record is
-- there twice already (a file imported twice before this), the first keeps the key and the others
-- stay without one, to be voided by hand after a look: nothing is deleted.
COMMENT ON COLUMN service_record.import_key IS 'What recognises an imported row when it is imported again (unique per county and source): the provider system''s record number, or for a row without one ''~'' and the SHA-256 of its content (kind, ID numbers, date, provider, outcome, quantity). NULL for records entered one at a time.';

WITH derived AS (
  SELECT s.county_code, s.id, s.source,
         '~' || encode(sha256(convert_to(concat_ws(E'\n',
           'service-v1',
           s.kind,
           upper(btrim(p.id_number)),
           coalesce(upper(btrim(r.id_number)), ''),
           to_char(s.service_date, 'YYYY-MM-DD'),
           btrim(regexp_replace(normalize(s.provider, NFKC),
                                '[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+', ' ', 'g'),
                 ' '),
           s.outcome_code,
           coalesce(s.quantity::text, '')), 'UTF8')), 'hex') AS key
    FROM service_record s
    JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
    LEFT JOIN person r ON r.county_code = s.county_code AND r.id = s.related_person_id
   WHERE s.import_key IS NULL AND s.source <> 'entry' AND p.id_number IS NOT NULL
), numbered AS (
  SELECT derived.*, row_number() OVER (PARTITION BY county_code, source, key ORDER BY id) AS n
    FROM derived
)
UPDATE service_record s
   SET import_key = numbered.key
  FROM numbered
 WHERE s.county_code = numbered.county_code AND s.id = numbered.id AND numbered.n = 1
   AND NOT EXISTS (SELECT 1 FROM service_record o
                    WHERE o.county_code = numbered.county_code AND o.source = numbered.source
                      AND o.import_key = numbered.key);
