-- One row per respondent × question per loaded file.
with source as (
    select * from {{ source('indices', 'survey_responses') }}
),

renamed as (
    select
        -- ids
        survey_id,
        agency_code,
        question_code,
        element_code,
        respondent_id_hash,
        _batch_id              as batch_id,
        _source_row            as source_row,

        -- strings
        element                as element_name,

        -- numerics
        answer,

        -- booleans
        coalesce(is_synthetic, false) as is_synthetic,

        -- dates
        response_date,
        _observed_date         as observed_date
    from source
)

select * from renamed
