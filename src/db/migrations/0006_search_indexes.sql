-- Search by ID number without the county (the unique index leads with county_code, so a search
-- across counties could not use it), and exact pinyin on the stored, spaced form: an equality on
-- the expression that the trigram GiST index also covers let the planner pick the (much slower)
-- GiST index for it.
CREATE INDEX person_id_number_idx ON person (id_number) WHERE id_number IS NOT NULL;
CREATE INDEX person_pinyin_spaced_idx ON person (name_pinyin);
DROP INDEX person_pinyin_idx;
