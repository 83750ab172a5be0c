{{ config(
    materialized='incremental',
    unique_key=['dossier_code', 'observed_date'],
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['dossier_code', 'observed_date'], 'unique': True}, {'columns': ['batch_id']}],
) }}
-- The dossier's history: one row per dossier per export date. A file delivered twice (or a
-- corrected re-export of the same day) keeps one state per day: the latest loaded batch.
with new_states as (
    select * from {{ ref('stg_onestop__dossier_states') }}
    {% if is_incremental() %}
    where batch_id > {{ watermark('batch_id') }}
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (partition by dossier_code, observed_date
                           order by batch_id desc, source_row desc) as rank_in_day
    from new_states
)

select
    dossier_code, observed_date, batch_id, source_row, agency_code, procedure_code, status_code,
    supplement_count, due_at, new_due_at, processed_at, returned_at, refused_at
from ranked
where rank_in_day = 1
