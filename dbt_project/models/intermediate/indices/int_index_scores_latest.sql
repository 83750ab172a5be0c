-- One row per province × index × component (null = composite): its latest published score
-- (never a roll-up), with the year.
select distinct on (province_code, index_code, coalesce(component_code, ''))
    province_code,
    index_code,
    component_code,
    score,
    year
from {{ ref('int_index_scores_published') }}
where score is not null
order by province_code, index_code, coalesce(component_code, ''), year desc
