{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['dossier_code'], 'unique': True},
             {'columns': ['processed_batch_id']}],
) }}
-- One row per dossier: its latest observed state. Incremental: a run reads only batches loaded
-- since the last run and competes them with the stored state, so a file that arrives late (an
-- older export loaded after a newer one) can never roll a dossier back to an older state.
{%- set columns = [
    'dossier_code', 'procedure_code', 'field_code', 'agency_code', 'batch_id', 'source_row',
    'procedure_name', 'applicant_name_hash', 'applicant_id_number_hash', 'channel',
    'status_code', 'supplement_count', 'document_count', 'documents_digitised',
    'documents_reused', 'is_online', 'paid_online', 'is_digitised', 'has_apology',
    'has_electronic_result', 'observed_date', 'submitted_at', 'received_at', 'due_at',
    'new_due_at', 'processed_at', 'returned_at', 'refused_at',
] %}

with new_states as (
    select * from {{ ref('stg_onestop__dossier_states') }}
    {% if is_incremental() %}
    where batch_id > {{ watermark('processed_batch_id') }}
    {% endif %}
),

statuses as (
    select status_code, stage_rank from {{ ref('ref_dossier_statuses') }}
),

contenders as (
    select {{ columns | join(', ') }}, st.stage_rank
    from new_states
    left join statuses as st using (status_code)
    {% if is_incremental() %}
    union all
    select {{ columns | join(', ') }}, stage_rank
    from {{ this }}
    where dossier_code in (select dossier_code from new_states)
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by dossier_code
            order by observed_date desc, stage_rank desc nulls last, batch_id desc,
                     source_row desc
        ) as rank_in_dossier
    from contenders
)

select
    {{ columns | join(', ') }},
    stage_rank,
    -- the highest batch this run read: the next run starts after it
    (select max(batch_id) from new_states) as processed_batch_id
from ranked
where rank_in_dossier = 1
