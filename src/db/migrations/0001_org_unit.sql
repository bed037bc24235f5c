-- Organisation units: the GB/T 2260 and statistical division tree.
CREATE TABLE org_unit (
  code        text COLLATE "C" PRIMARY KEY
              CHECK (code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  name        text NOT NULL CHECK (name <> ''),
  short_name  text NOT NULL,
  level       text NOT NULL CHECK (level IN ('province', 'prefecture', 'county', 'township', 'village')),
  kind        text NOT NULL,
  parent_code text COLLATE "C" REFERENCES org_unit (code),
  county_code text COLLATE "C",
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((parent_code IS NULL) = (level = 'province')),
  CHECK (parent_code IS NULL OR starts_with(code, parent_code))
);

COMMENT ON TABLE org_unit IS 'Administrative and statistical units. Codes are prefix-hierarchical: the subtree of a unit is every code that starts with its code.';
COMMENT ON COLUMN org_unit.code IS 'Division code without zero padding: 2 digits province, 4 prefecture, 6 county, 9 township/street, 12 village/community.';
COMMENT ON COLUMN org_unit.name IS 'Official name as published (e.g. 东华社区居民委员会).';
COMMENT ON COLUMN org_unit.short_name IS 'Name as people say it: the committee suffix (委员会/居委会/村委会) dropped.';
COMMENT ON COLUMN org_unit.kind IS 'street (街道), town (镇), township (乡), community (社区/居委会), village (村), or the level name above county; community vs village is the urban/rural split used by benefit rates.';
COMMENT ON COLUMN org_unit.county_code IS 'The county the unit lies in (null above county level); every person-level table carries it so the schema can be partitioned by county.';

-- COLLATE "C" makes a prefix LIKE an index range scan.
CREATE INDEX org_unit_parent_idx ON org_unit (parent_code);
CREATE INDEX org_unit_county_idx ON org_unit (county_code, level);
