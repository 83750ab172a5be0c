-- One row per province × unit (agency_code; null = the whole province) × catalogue indicator ×
-- year with a value chiso holds:
--   index_results   survey indicators (PCI's "% DN đồng ý", days, points) of a province;
--   index_scores    indicators that ARE an index score or rank (catalogue unit 'rank', or
--                   non-PCI entries such as sipas_score, par_index_score) of a province;
--   onestop_monthly the one-stop rates (on time, online, online payment, digitisation) of
--                   each agency and of its province, over the calendar year (year to date for
--                   the year under way), as the one-stop marts count them;
--   satisfaction    a unit's SIPAS-style survey: all elements (sipas_score) and the
--                   'procedures' element (sipas_procedures_satisfaction), per calendar year.
-- Reads two marts (onestop_monthly, satisfaction): the published counts, not a second copy.
with indicator_rows as (
    select province_code, null::text as agency_code, indicator_code, year, value,
           'index_results' as source, 1 as source_priority, batch_id, source_row, is_synthetic
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
        null::text as agency_code,
        c.indicator_code,
        s.year,
        case when c.unit = 'rank' then s.published_rank::numeric else s.score end as value,
        'index_scores' as source,
        2 as source_priority,
        s.batch_id,
        0::bigint as source_row,
        s.is_synthetic
    from {{ ref('int_index_scores_published') }} as s
    inner join catalogue as c
        on c.index_code = s.index_code
        and coalesce(c.component_code, '') = coalesce(s.component_code, '')
),

onestop_agency as (
    select
        a.province_code,
        m.agency_code,
        extract(year from m.month_start)::int as year,
        sum(m.dossiers_completed_on_time) as on_time,
        sum(m.dossiers_completed) as completed,
        sum(m.dossiers_received_online) as online,
        sum(m.dossiers_received) as received,
        sum(m.dossiers_paid_online) as paid_online,
        sum(m.dossiers_with_fee) as with_fee,
        sum(m.dossiers_digitised) as digitised
    from {{ ref('onestop_monthly') }} as m
    join {{ ref('ref_agencies') }} as a using (agency_code)
    group by 1, 2, 3
),

onestop_both as (
    select * from onestop_agency
    union all
    select province_code, null, year, sum(on_time), sum(completed), sum(online), sum(received),
           sum(paid_online), sum(with_fee), sum(digitised)
    from onestop_agency
    group by province_code, year
),

onestop_rows as (
    select o.province_code, o.agency_code, r.indicator_code, o.year, r.value,
           'onestop_monthly' as source, 3 as source_priority, 0::bigint as batch_id,
           0::bigint as source_row, false as is_synthetic
    from onestop_both as o
    cross join lateral (values
        ('onestop_on_time_rate', round(100.0 * o.on_time / nullif(o.completed, 0), 2)),
        ('onestop_online_dossier_rate', round(100.0 * o.online / nullif(o.received, 0), 2)),
        ('onestop_online_payment_rate', round(100.0 * o.paid_online / nullif(o.with_fee, 0), 2)),
        ('onestop_digitisation_rate', round(100.0 * o.digitised / nullif(o.received, 0), 2))
    ) as r(indicator_code, value)
    where r.value is not null
),

survey_rows as (
    select u.province_code, s.agency_code,
           case s.element_code when 'all' then 'sipas_score'
                               else 'sipas_procedures_satisfaction' end as indicator_code,
           extract(year from s.period_start)::int as year,
           s.satisfaction_pct as value,
           'satisfaction' as source, 4 as source_priority, 0::bigint as batch_id,
           0::bigint as source_row, false as is_synthetic
    from {{ ref('satisfaction') }} as s
    join {{ ref('ref_units') }} as u
        on s.agency_code in (u.unit_code, u.agency_code)
    where s.period_type = 'year' and s.element_code in ('all', 'procedures')
),

unioned as (
    select * from indicator_rows
    union all
    select * from score_rows where value is not null
    union all
    select * from onestop_rows
    union all
    select * from survey_rows
),

ranked as (
    select
        *,
        row_number() over (
            partition by province_code, agency_code, indicator_code, year
            order by source_priority, batch_id desc, source_row desc
        ) as row_rank
    from unioned
)

select province_code, agency_code, indicator_code, year, value, source, is_synthetic
from ranked
where row_rank = 1
