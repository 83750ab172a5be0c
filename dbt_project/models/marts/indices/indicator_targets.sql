{#- Province of targets whose file names none: the province whose plans are loaded. -#}
{%- set home = var('home_province_code', '45') -%}
-- One row per plan target (province × unit measured × indicator × target year; the latest
-- loaded file wins), with the latest actual up to the target year and a status:
--   no data   no actual for the province (or unit) and indicator up to the target year;
--             status_reason says why (indicator not catalogued, unit unknown, nothing loaded);
--   met       the latest actual satisfies the target (operator from the plan text, else the
--             catalogue direction: >= when higher is better, <= for days and ranks);
--   on track  not met, the target year not yet reached, and the last year-on-year trend
--             (latest − previous actual, per year) continued to the target year meets it;
--   off track otherwise (target year reached without meeting it, no trend, or trend too slow).
-- A province absorbed on 1 July 2025 (ref_province_mergers) is compared, for years from 2025,
-- with the merged unit's actuals (actual_province_code, is_actual_of_merged_unit).
-- gap = distance still to cover in the indicator's unit (≤ 0 when met).
with targets as (
    select
        t.*,
        coalesce(t.province_code, '{{ home }}')             as target_province_code,
        {{ fold_vi('t.scope_unit') }}                       as scope_key,
        row_number() over (
            partition by coalesce(t.province_code, '{{ home }}'), {{ fold_vi('t.scope_unit') }},
                coalesce(t.indicator_code, lower(t.indicator_name)), t.target_year
            order by t.batch_id desc, t.source_row desc
        ) as row_rank
    from {{ ref('stg_indices__targets') }} as t
),

catalogue as (
    select * from {{ ref('ref_pci_indicators') }}
),

units as (
    select province_code, name_key, min(unit_code) as unit_code, count(*) as candidates
    from {{ ref('int_unit_names') }}
    group by 1, 2
),

joined as (
    select
        md5(t.target_province_code || '|' || t.scope_key || '|'
            || coalesce(t.indicator_code, lower(t.indicator_name))
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
        t.plan_ref,
        t.scope_unit,
        u.unit_code                                         as scope_unit_code,
        coalesce(ru.agency_code, u.unit_code)               as scope_agency_code,
        t.batch_id,
        t.is_synthetic
    from targets as t
    left join catalogue as c on c.indicator_code = t.indicator_code
    left join units as u
        on u.province_code = t.target_province_code and u.name_key = t.scope_key
        and u.candidates = 1
    left join {{ ref('ref_units') }} as ru on ru.unit_code = u.unit_code
    where t.row_rank = 1
),

successors as (
    select old_province_code, new_province_code, effective_date
    from {{ ref('ref_province_mergers') }}
    where new_province_code <> old_province_code
),

actuals as (
    select
        j.target_id,
        a.year,
        a.value,
        a.province_code                                     as actual_province_code,
        a.source                                            as actual_source,
        a.is_synthetic,
        row_number() over (partition by j.target_id order by a.year desc) as recency
    from joined as j
    left join successors as s on s.old_province_code = j.province_code
    inner join {{ ref('int_indicator_actuals') }} as a
        on a.indicator_code = j.indicator_code
        and a.year <= j.target_year
        and ((j.scope_unit is null and a.agency_code is null)
             or (j.scope_unit is not null and a.agency_code = j.scope_agency_code))
        and (
            -- the province itself while it existed at the end of the year
            (a.province_code = j.province_code
             and (s.effective_date is null or make_date(a.year, 12, 31) < s.effective_date))
            -- the merged unit from the year its merger took effect
            or (a.province_code = s.new_province_code
                and make_date(a.year, 12, 31) >= s.effective_date)
        )
),

latest as (
    select
        target_id,
        max(value) filter (where recency = 1)                as actual_value,
        max(year) filter (where recency = 1)                 as actual_year,
        max(actual_province_code) filter (where recency = 1) as actual_province_code,
        max(actual_source) filter (where recency = 1)        as actual_source,
        max(value) filter (where recency = 2)                as previous_actual_value,
        max(year) filter (where recency = 2)                 as previous_actual_year,
        bool_or(is_synthetic) filter (where recency <= 2)    as is_actual_synthetic
    from actuals
    group by target_id
),

measured as (
    select
        j.*,
        l.actual_value,
        l.actual_year,
        l.actual_province_code,
        l.actual_source,
        l.previous_actual_value,
        l.previous_actual_year,
        coalesce(l.is_actual_synthetic, false)              as is_actual_synthetic,
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
    m.scope_unit_code,
    m.actual_province_code,

    -- strings
    p.province_name,
    m.item_number,
    m.plan_ref,
    m.indicator_name,
    m.plan_indicator_text,
    m.unit,
    m.target_text,
    m.target_operator,
    m.lead_unit,
    m.coordinating_units,
    m.scope_unit,
    m.actual_source,
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
    case
        when m.indicator_code is null then
            'indicator not in the catalogue (ref_pci_indicators): add the plan''s wording to'
            || ' ref_indicator_aliases.csv'
        when m.scope_unit is not null and m.scope_unit_code is null then
            'unit ''' || m.scope_unit || ''' of ' || coalesce(p.province_name, m.province_code)
            || ' is not in ref_units (or its name is ambiguous): add it to see its actuals'
        when m.actual_value is null and m.index_code = 'onestop' and m.scope_unit is not null
             and m.scope_agency_code is null then
            'unit ''' || m.scope_unit || ''' runs no one-stop desk in ref_agencies'
        when m.actual_value is null and m.indicator_code = 'onestop_petitions_handled_rate' then
            'chiso holds no petition-handling records (phản ánh, kiến nghị)'
        when m.actual_value is null and m.scope_unit is not null and m.index_code = 'par_index' then
            'chiso holds no PAR index of a single department; the province''s is not this unit''s'
        when m.actual_value is null then
            'no ' || m.indicator_code || ' loaded for '
            || coalesce(m.scope_unit || ' (' || p.province_name || ')', p.province_name,
                        m.province_code)
            || ' up to ' || m.target_year
        when m.actual_province_code <> m.province_code then
            'compared with ' || coalesce(ap.province_name, m.actual_province_code) || ' ('
            || m.actual_province_code || '), the unit that absorbed '
            || coalesce(p.province_name, m.province_code) || ' on 1 July 2025'
    end as status_reason,

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
    m.indicator_code is not null as is_mapped,
    coalesce(m.actual_province_code <> m.province_code, false) as is_actual_of_merged_unit,
    m.is_synthetic,
    m.is_actual_synthetic
from measured as m
left join {{ ref('ref_provinces') }} as p on p.province_code = m.province_code
left join {{ ref('ref_provinces') }} as ap on ap.province_code = m.actual_province_code
