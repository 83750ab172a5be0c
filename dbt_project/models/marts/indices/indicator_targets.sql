{#- Province of targets whose file names none: the province whose plans are loaded. -#}
{%- set home = var('home_province_code', '45') -%}
-- One row per plan target (province × indicator × target year; the latest loaded file wins),
-- with the latest actual value up to the target year and a status:
--   no data   no actual value for the province and indicator up to the target year;
--   met       the latest actual satisfies the target (operator from the plan text, else the
--             catalogue direction: >= when higher is better, <= for days and ranks);
--   on track  not met, the target year not yet reached, and the last year-on-year trend
--             (latest − previous actual, per year) continued to the target year meets it;
--   off track otherwise (target year reached without meeting it, no trend, or trend too slow).
-- gap = distance still to cover in the indicator's unit (≤ 0 when met).
with targets as (
    select
        t.*,
        coalesce(t.province_code, '{{ home }}')             as target_province_code,
        row_number() over (
            partition by coalesce(t.province_code, '{{ home }}'),
                coalesce(t.indicator_code, lower(t.indicator_name)), t.target_year
            order by t.batch_id desc, t.source_row desc
        ) as row_rank
    from {{ ref('stg_indices__targets') }} as t
),

catalogue as (
    select * from {{ ref('ref_pci_indicators') }}
),

joined as (
    select
        md5(t.target_province_code || '|' || coalesce(t.indicator_code, lower(t.indicator_name))
            || '|' || t.target_year::text)                  as target_id,
        t.target_province_code                              as province_code,
        t.indicator_code,
        coalesce(c.indicator_name_vi, t.indicator_name)     as indicator_name,
        t.indicator_name                                    as plan_indicator_text,
        c.index_code,
        c.component_code,
        coalesce(c.unit, t.target_unit)                     as unit,
        coalesce(c.higher_is_better, t.target_operator <> '<=', true) as higher_is_better,
        coalesce(t.target_operator,
                 case when c.higher_is_better is false then '<=' else '>=' end) as target_operator,
        t.target_text,
        t.target_value,
        t.target_year,
        t.lead_unit,
        t.coordinating_units,
        t.item_number,
        t.batch_id
    from targets as t
    left join catalogue as c on c.indicator_code = t.indicator_code
    where t.row_rank = 1
),

actuals as (
    select
        j.target_id,
        a.year,
        a.value,
        row_number() over (partition by j.target_id order by a.year desc) as recency
    from joined as j
    inner join {{ ref('int_indicator_actuals') }} as a
        on a.province_code = j.province_code
        and a.indicator_code = j.indicator_code
        and a.year <= j.target_year
),

latest as (
    select
        target_id,
        max(value) filter (where recency = 1) as actual_value,
        max(year) filter (where recency = 1)  as actual_year,
        max(value) filter (where recency = 2) as previous_actual_value,
        max(year) filter (where recency = 2)  as previous_actual_year
    from actuals
    group by target_id
),

measured as (
    select
        j.*,
        l.actual_value,
        l.actual_year,
        l.previous_actual_value,
        l.previous_actual_year,
        case j.target_operator
            when '>=' then j.target_value - l.actual_value
            when '<=' then l.actual_value - j.target_value
            else abs(l.actual_value - j.target_value)
        end as gap,
        l.actual_value
            + (l.actual_value - l.previous_actual_value)
            / nullif(l.actual_year - l.previous_actual_year, 0)
            * (j.target_year - l.actual_year) as projected_value
    from joined as j
    left join latest as l on l.target_id = j.target_id
)

select
    -- ids
    m.target_id,
    m.province_code,
    m.indicator_code,
    m.index_code,
    m.component_code,

    -- strings
    p.province_name,
    m.item_number,
    m.indicator_name,
    m.plan_indicator_text,
    m.unit,
    m.target_text,
    m.target_operator,
    m.lead_unit,
    m.coordinating_units,
    case
        when m.actual_value is null then 'no data'
        when m.gap <= 0 then 'met'
        when m.actual_year < m.target_year and m.projected_value is not null
            and case m.target_operator
                    when '>=' then m.projected_value >= m.target_value
                    when '<=' then m.projected_value <= m.target_value
                    else false
                end then 'on track'
        else 'off track'
    end as status,

    -- numerics
    m.target_value,
    m.target_year,
    m.actual_value,
    m.actual_year,
    m.previous_actual_value,
    m.previous_actual_year,
    m.gap,
    m.projected_value,

    -- booleans
    m.higher_is_better,
    m.indicator_code is not null as is_mapped
from measured as m
left join {{ ref('ref_provinces') }} as p on p.province_code = m.province_code
