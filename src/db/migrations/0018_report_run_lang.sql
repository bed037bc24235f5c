-- The language a generated report was written in (src/reports/): zh-CN by default, English on
-- request. The figures are the same in both; the record says which words the file carried.
ALTER TABLE report_run ADD COLUMN lang text NOT NULL DEFAULT 'zh-CN' CHECK (lang IN ('zh-CN', 'en'));
COMMENT ON COLUMN report_run.lang IS 'The language of the file''s words: zh-CN (default) or en. Figures do not depend on it.';
