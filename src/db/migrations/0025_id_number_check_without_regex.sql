-- The person table's check on the shape of an ID number (17 digits and a digit or X) without a
-- regular expression: PostgreSQL's regex engine cost about 1 µs a row, the most expensive of the
-- table's checks, on every insert and on every row of an initial load (a million rows: ~1 s of the
-- server's CPU). Eighteen bytes that are all digits once the leading digits are trimmed, or leave
-- only an X, are exactly the strings ^[0-9]{17}[0-9X]$ matches (a multibyte character makes the
-- value longer than 18 bytes or stays after the trim). test/migrations.test.ts checks the two agree.
ALTER TABLE person DROP CONSTRAINT person_id_number_check,
  ADD CONSTRAINT person_id_number_check
  CHECK (id_number IS NULL OR (octet_length(id_number) = 18 AND ltrim(id_number, '0123456789') IN ('', 'X')));
