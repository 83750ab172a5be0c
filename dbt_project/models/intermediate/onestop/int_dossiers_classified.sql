{{ config(materialized='view') }}
-- One row per dossier (current state) with its end of processing, the appointment that applies
-- and its timeliness as of the run's cut-off (rules: macros/classify_dossiers.sql).
with {{ classify_dossiers(ref('int_dossiers_current')) }}

select * from classified
