-- One row per province × year × index × component as published; when several loaded files
-- give the same score, the latest file (highest batch) wins. Survey-indicator rows are left to
-- int_indicator_actuals.
with results as (
    select
        *,
        row_number() over (
            partition by province_code, year, index_code, coalesce(component_code, '')
            order by batch_id desc, source_row desc
        ) as row_rank
    from {{ ref('stg_indices__index_results') }}
    where not is_indicator
),

provinces as (
    select * from {{ ref('ref_provinces') }}
),

mergers as (
    select * from {{ ref('ref_province_mergers') }}
)

select
    r.province_code,
    p.province_name,
    r.year,
    r.index_code,
    r.component_code,
    r.value                                         as score,
    r.rank                                          as published_rank,
    coalesce(m.new_province_code, r.province_code)  as current_province_code,
    false                                           as is_derived,
    case when r.value is null then 0 else 1 end     as source_units,
    1                                               as expected_units,
    r.batch_id,
    r.is_synthetic
from results as r
inner join provinces as p on p.province_code = r.province_code
left join mergers as m on m.old_province_code = r.province_code
where r.row_rank = 1
