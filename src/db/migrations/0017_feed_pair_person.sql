-- A merge moves a person's feed pairs to the surviving record, and a review decision looks for the
-- same person's pairs in other batches: both look feed pairs up by person, which without this
-- index scanned every pair of the county.
CREATE INDEX feed_pair_person_idx ON feed_pair (county_code, person_id);
