{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['dossier_code'], 'unique': True},
             {'columns': ['received_month']},
             {'columns': ['finished_month']},
             {'columns': ['processed_batch_id']}],
) }}
-- One row per dossier, its current state and timeliness. No personal data (not even hashes).
-- Incremental: a night rewrites the dossiers that new exports changed, and re-judges the
-- dossiers still open (their timeliness depends on the cut-off); finished ones are final.
{% if is_incremental() %}
with changed as (
    select dossier_code from {{ ref('int_dossiers_current') }}
    where processed_batch_id > (select coalesce(max(processed_batch_id), 0) from {{ this }})
    union
    select dossier_code from {{ this }} where finished_at is null
),

-- Materialized first, so the rules run on the changed dossiers only (index lookups).
changed_dossiers as materialized (
    select * from {{ ref('int_dossiers_current') }}
    where dossier_code in (select dossier_code from changed)
),

{{ classify_dossiers('changed_dossiers') }}
{% else %}
with {{ classify_dossiers(ref('int_dossiers_current')) }}
{% endif %}

select
    dossier_code,
    procedure_code,
    procedure_name,
    field_code,
    agency_code,
    channel,
    status_code,
    is_online,
    paid_online,
    is_digitised,
    has_apology,
    has_electronic_result,
    supplement_count,
    document_count,
    documents_digitised,
    documents_reused,
    timeliness,
    timeliness in ('early', 'on_time')                  as is_on_time,
    timeliness in ('late')                              as is_late,
    is_counted,
    is_legal_deadline,
    received_at,
    {{ local_month('received_at') }}                    as received_month,
    appointment_at,
    due_end_at,
    finished_at,
    {{ local_month('finished_at') }}                    as finished_month,
    returned_at,
    observed_date                                       as last_observed_date,
    processed_batch_id
from classified
