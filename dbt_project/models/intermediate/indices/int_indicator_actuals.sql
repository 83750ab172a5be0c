-- One row per province × catalogue indicator × year with a published value. Survey indicators
-- (PCI's "% DN đồng ý", days, points) come from indicator rows of index_results; indicators
-- that ARE an index score or rank (catalogue unit 'rank', or any non-PCI catalogue entry such
-- as sipas_score, par_index_score, sipas_procedures_satisfaction) come from the published
-- scores: the rank of the composite/component for unit 'rank', else its score.
with indicator_rows as (
    select province_code, indicator_code, year, value, 1 as source_priority, batch_id, source_row
    from {{ ref('stg_indices__index_results') }}
    where is_indicator and indicator_code is not null and province_code is not null
        and value is not null
),

catalogue as (
    select * from {{ ref('ref_pci_indicators') }}
    where index_code in ('pci', 'papi', 'par_index', 'sipas', 'dti')
        and (unit = 'rank' or index_code <> 'pci')
),

score_rows as (
    select
        s.province_code,
        c.indicator_code,
        s.year,
        case when c.unit = 'rank' then s.published_rank::numeric else s.score end as value,
        2 as source_priority,
        s.batch_id,
        0::bigint as source_row
    from {{ ref('int_index_scores_published') }} as s
    inner join catalogue as c
        on c.index_code = s.index_code
        and coalesce(c.component_code, '') = coalesce(s.component_code, '')
),

unioned as (
    select * from indicator_rows
    union all
    select * from score_rows where value is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by province_code, indicator_code, year
            order by source_priority, batch_id desc, source_row desc
        ) as row_rank
    from unioned
)

select province_code, indicator_code, year, value
from ranked
where row_rank = 1
