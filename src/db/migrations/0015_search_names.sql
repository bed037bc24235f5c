-- Search that stays fast on a million persons (issue 4).
--
-- 1. Every exact branch of the search (name, surname prefix, homophone pinyin, initials) returns
--    its page in the order (name, birth_date, id). Indexes that carry that order let PostgreSQL
--    stop after one page instead of fetching and sorting every match (王: 88,000 rows).
--    `name` has the database's collation, and only a "C"-collated index serves a LIKE prefix
--    (under C.UTF-8 the planner walked the whole name index filtering for 王%: 5 s), so the name
--    part of each index is `name COLLATE "C"` — code-point order, the order C.UTF-8 sorts in too.
DROP INDEX IF EXISTS person_name_idx;
CREATE INDEX person_name_c_idx ON person ((name COLLATE "C"), birth_date, id);
DROP INDEX IF EXISTS person_initials_idx;
CREATE INDEX person_initials_idx ON person (name_initials, (name COLLATE "C"), birth_date, id);
DROP INDEX IF EXISTS person_pinyin_spaced_idx;
CREATE INDEX person_pinyin_spaced_idx ON person (name_pinyin, (name COLLATE "C"), birth_date, id);

-- 2. Typo tolerance looks among the distinct names, not among the persons: a million persons
--    carry about 120,000 different pinyin names, so a trigram search there touches a ninth of the
--    rows — and the person table loses its GiST trigram index, the costliest of its indexes to
--    keep up on every insert.
DROP INDEX IF EXISTS person_pinyin_trgm_idx;

CREATE TABLE person_name_key (
  name_pinyin text COLLATE "C" PRIMARY KEY,
  joined      text COLLATE "C" GENERATED ALWAYS AS (replace(name_pinyin, ' ', '')) STORED
);
COMMENT ON TABLE person_name_key IS 'Every pinyin name that any person record has ever had (kept by triggers on person): the dictionary the typo-tolerant search looks in. A name no person has any more stays; it finds nobody.';
COMMENT ON COLUMN person_name_key.joined IS 'The pinyin without spaces (wangxiaoming), as typed and as compared by trigram similarity.';
CREATE INDEX person_name_key_trgm_idx ON person_name_key USING gin (joined gin_trgm_ops);

INSERT INTO person_name_key (name_pinyin) SELECT DISTINCT name_pinyin FROM person;

-- New names arrive with inserted persons (one statement-level pass over the inserted rows, so a
-- bulk import pays one set-based insert, not a trigger call per row) and with name corrections.
CREATE FUNCTION person_name_key_add_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO person_name_key (name_pinyin)
  SELECT DISTINCT name_pinyin FROM inserted_person
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_name_key_on_insert
  AFTER INSERT ON person REFERENCING NEW TABLE AS inserted_person
  FOR EACH STATEMENT EXECUTE FUNCTION person_name_key_add_inserted();

CREATE FUNCTION person_name_key_add_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO person_name_key (name_pinyin) VALUES (NEW.name_pinyin) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_name_key_on_rename
  AFTER UPDATE OF name_pinyin ON person
  FOR EACH ROW WHEN (OLD.name_pinyin IS DISTINCT FROM NEW.name_pinyin)
  EXECUTE FUNCTION person_name_key_add_changed();
