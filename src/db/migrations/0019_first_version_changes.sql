-- A person's first history version may store its changes as {}: bulk writers (the import, the
-- synthetic county) leave them to be read off the snapshot, which holds the same facts. For a
-- million imported persons that halves the JSON the database parses.
COMMENT ON COLUMN person_version.changes IS 'Object field -> {old, new} for the fields this version changed. A first version (version 1) may store {}: its changes are then every field of the snapshot that has a value, from null (getPersonHistory spells them out).';
