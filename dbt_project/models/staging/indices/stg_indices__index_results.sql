-- One row per loaded index result (province × year × index × component or indicator × file).
with source as (
    select * from {{ source('indices', 'index_results') }}
),

renamed as (
    select
        -- ids
        index_code,
        province_code,
        component_code,
        indicator_code,
        _batch_id              as batch_id,
        _source_row            as source_row,

        -- strings
        index_name             as source_index_name,
        province_name          as source_province_name,
        component_name         as source_component_name,
        indicator_name,

        -- numerics
        year,
        value,
        rank,

        -- booleans
        indicator_name is not null as is_indicator,
        coalesce(is_synthetic, false) as is_synthetic,

        -- dates
        _observed_date         as observed_date
    from source
)

select * from renamed
