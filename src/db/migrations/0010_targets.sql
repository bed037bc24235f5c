-- Target sheets (目标管理责任书): for a year and a unit, the list of indicators it is held to.
-- Every change writes a new immutable version (who, when, why); target_sheet points at the
-- current one. A township's or village's sheet may be derived from its parent's by splitting:
-- each item then says whether it follows the parent or was set for this unit.
-- Which indicators may be targets is decided in code (src/targets/scope.ts), never here: the
-- catalogue grows, and a rate added to it later must become a target without a migration.

CREATE TABLE target_sheet (
  county_code     text COLLATE "C" NOT NULL REFERENCES org_unit (code),
  unit_code       text COLLATE "C" NOT NULL REFERENCES org_unit (code),
  year            int  NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  current_version int  NOT NULL CHECK (current_version >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, unit_code, year),
  CHECK (unit_code LIKE county_code || '%')
);
COMMENT ON TABLE target_sheet IS 'One target sheet per unit and year; the content lives in target_sheet_version.';
COMMENT ON COLUMN target_sheet.current_version IS 'The version in force (0 only inside the transaction writing the first one); compared with expectedVersion on writes so two editors never overwrite each other unseen.';

CREATE TABLE target_sheet_version (
  county_code    text COLLATE "C" NOT NULL,
  unit_code      text COLLATE "C" NOT NULL,
  year           int  NOT NULL,
  version        int  NOT NULL CHECK (version >= 1),
  items          jsonb NOT NULL,
  settings       jsonb NOT NULL DEFAULT '{}',
  change_kind    text NOT NULL CHECK (change_kind IN ('set', 'split', 'demo')),
  parent_unit_code text COLLATE "C",
  parent_version int,
  reason         text NOT NULL CHECK (length(reason) > 0),
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, unit_code, year, version),
  FOREIGN KEY (county_code, unit_code, year) REFERENCES target_sheet (county_code, unit_code, year)
);
COMMENT ON TABLE target_sheet_version IS 'Every version of every target sheet, append-only: the sheet as it stood, who changed it, when and why.';
COMMENT ON COLUMN target_sheet_version.items IS 'Array of {indicator, direction (at_least|at_most|within), target | low+high, weight, gate, source (own|parent)}; validated by src/targets/sheet.ts before it is written.';
COMMENT ON COLUMN target_sheet_version.settings IS 'Optional overrides of the status thresholds and the scoring rule ({status:{atRiskShortfall}, scoring:{zeroAtShortfall, gateCap}}); absent keys take the defaults in src/targets/rules.ts.';
COMMENT ON COLUMN target_sheet_version.change_kind IS 'set: edited for this unit; split: derived from the parent sheet (parent_unit_code, parent_version); demo: written by the demo data.';
