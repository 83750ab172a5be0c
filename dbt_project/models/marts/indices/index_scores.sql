-- One row per province × year × index × component (component_code null for the composite):
-- published scores for the units as they were that year, plus derived roll-ups of old units
-- into the post-2025 units for years before 2025 (is_derived), so both a 63-unit and a
-- 34-unit series exist.
with unioned as (
    select * from {{ ref('int_index_scores_published') }}
    union all
    select * from {{ ref('int_index_scores_rolled_up') }}
),

flagged as (
    select
        *,
        coalesce(component_code, '')                        as component_key,
        (is_derived or province_code = current_province_code) as in_current_series
    from unioned
),

ranked as (
    select
        f.*,
        case when score is not null then rank() over (
            partition by year, index_code, component_key, is_derived
            order by score desc nulls last) end              as era_rank,
        count(score) over (
            partition by year, index_code, component_key, is_derived) as era_ranked,
        case when score is not null and in_current_series then rank() over (
            partition by year, index_code, component_key, in_current_series
            order by score desc nulls last) end              as series_rank,
        count(score) over (
            partition by year, index_code, component_key, in_current_series) as series_ranked
    from flagged as f
),

final_rank as (
    select
        *,
        -- computed, never published: 1 + the better scores loaded in the same series
        case when is_derived then series_rank else era_rank end as computed_rank,
        case when score is null then null
             when is_derived then 'computed among the ' || series_ranked || ' post-2025 units'
                                  || ' (roll-ups and unchanged units) loaded for the year'
             else 'computed among the ' || era_ranked || ' units with a published score'
                  || ' loaded for the year' end               as computed_rank_basis,
        case when is_derived then series_ranked else era_ranked end as number_ranked,
        -- computed too: a published 2025 rank stays in published_rank
        case when in_current_series then series_rank end     as current_units_rank
    from ranked
),

with_previous as (
    select
        *,
        lag(year) over w        as prev_year,
        lag(score) over w       as prev_score,
        lag(published_rank) over w  as prev_published_rank
    from final_rank
    window w as (partition by province_code, index_code, component_key order by year)
),

catalogue as (
    select * from {{ ref('ref_index_components') }}
),

-- PCI composite = Σ weight × sub-index × 10 (catalogue weights), where all ten are published.
recomputed as (
    select
        s.province_code,
        s.year,
        round(sum(c.weight * s.score * 10), 2) as recomputed_score
    from unioned as s
    inner join catalogue as c
        on c.index_code = s.index_code and c.component_code = s.component_code
        and s.year between c.valid_from_year and coalesce(c.valid_to_year, 9999)
    where s.index_code = 'pci' and not s.is_derived and c.weight is not null
    group by s.province_code, s.year
    having count(s.score) = count(*) and count(*) = (
        select count(*) from catalogue
        where index_code = 'pci' and weight is not null
            and s.year between valid_from_year and coalesce(valid_to_year, 9999))
)

select
    -- ids
    p.province_code,
    p.year,
    p.index_code,
    p.component_code,
    p.current_province_code,

    -- strings
    p.province_name,
    cp.province_name                                            as current_province_name,
    c.component_name_vi                                         as component_name,

    -- numerics
    p.score,
    p.published_rank                                            as rank,
    p.published_rank,
    p.computed_rank,
    p.computed_rank_basis,
    p.number_ranked::integer                                    as number_ranked,
    case when p.prev_year = p.year - 1 then p.prev_score end    as previous_score,
    case when p.prev_year = p.year - 1 then p.score - p.prev_score end as score_change,
    case when p.prev_year = p.year - 1 then p.prev_published_rank end as previous_rank,
    case when p.prev_year = p.year - 1 then p.prev_published_rank - p.published_rank end
                                                                as rank_change,
    p.current_units_rank,
    c.scale_min,
    c.scale_max,
    c.weight,
    p.source_units,
    p.expected_units,
    r.recomputed_score,
    case when abs(r.recomputed_score - p.score) > {{ var('pci_recompute_tolerance', 0.05) }} then
        p.province_name || ' (' || p.province_code || ') ' || p.year || ': published '
        || p.score || ', recomputed from sub-indices ' || r.recomputed_score
    end                                                         as composite_mismatch,

    -- booleans
    p.is_derived,
    p.published_rank is not null                                as is_rank_published,
    p.is_synthetic
from with_previous as p
left join catalogue as c
    on c.index_code = p.index_code
    and coalesce(c.component_code, '') = p.component_key
    and p.year between c.valid_from_year and coalesce(c.valid_to_year, 9999)
left join {{ ref('ref_provinces') }} as cp on cp.province_code = p.current_province_code
left join recomputed as r
    on r.province_code = p.province_code and r.year = p.year
    and p.index_code = 'pci' and p.component_code is null
