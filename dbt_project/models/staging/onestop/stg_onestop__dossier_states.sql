-- One row per dossier per export in which it was observed: renamed, typed, local dates added.
with source as (
    select * from {{ source('onestop', 'onestop') }}
),

renamed as (
    select
        -- ids
        dossier_code,
        procedure_code,
        field_code,
        agency_code,
        _batch_id                          as batch_id,
        _source_row                        as source_row,

        -- strings
        procedure_name,
        applicant_name_hash,
        applicant_id_number_hash,
        applicant_phone_hash,
        applicant_address_hash,

        -- numerics
        channel,
        status_code,
        coalesce(supplement_count, 0)      as supplement_count,
        document_count,
        documents_digitised,
        documents_reused,

        -- booleans
        channel = 2                        as is_online,
        paid_online,
        is_digitised,
        coalesce(apology_issued, false)    as has_apology,
        has_electronic_result,

        -- dates
        _observed_date                     as observed_date,

        -- timestamps (instants; sources give local wall-clock time)
        submitted_at,
        received_at,
        due_at,
        new_due_at,
        processed_at,
        returned_at,
        refused_at
    from source
)

select * from renamed
