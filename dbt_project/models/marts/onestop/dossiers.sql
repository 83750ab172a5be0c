{#- The month indexes cover the gate's reconciliation counts (index-only scans). -#}
{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['dossier_code'], 'unique': True},
             {'columns': ['received_month', 'is_counted', 'received_at']},
             {'columns': ['finished_month', 'is_counted', 'finished_at', 'received_at']},
             {'columns': ['processed_batch_id']},
             {'columns': ['timeliness', 'due_end_at']},
             {'columns': ['built_at']}],
) }}
-- One row per dossier, its current state and timeliness. No personal data (not even hashes).
-- Incremental: a night rewrites the dossiers that new exports changed, and the open ones whose
-- verdict the new cut-off flips (open <-> open_overdue: the only part that depends on it).
-- Finished dossiers are final. A change to the reference seeds (holidays, legal durations)
-- makes `chiso build` rebuild everything (--full-refresh).
{% if is_incremental() %}
with changed as (
    select dossier_code from {{ ref('int_dossiers_current') }}
    where processed_batch_id > {{ watermark('processed_batch_id') }}
    union
    select dossier_code from {{ this }}
    where (timeliness = 'open' and due_end_at < {{ as_of() }})
       or (timeliness = 'open_overdue' and due_end_at >= {{ as_of() }})
),

-- Materialized first, so the rules run on the changed dossiers only. `= any(array(...))`
-- makes them index lookups: an `in (subquery)` is planned from a row estimate, and a few
-- thousand too many turn it into a scan of every current dossier.
changed_dossiers as materialized (
    select * from {{ ref('int_dossiers_current') }}
    where dossier_code = any(array(select dossier_code from changed))
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
    processed_batch_id,
    {{ built_at() }}                                    as built_at
from classified
