-- One row per unit × month: the Decision 766 one-stop service index blocks computable from
-- the logs, with their rates and points (threshold rule: full points at or above the block's
-- threshold, else rate × max / threshold). Units are agencies, plus one row per province
-- (scope = 'province', unit_code = the province code).
-- Incremental by month, like onestop_monthly.
{{ config(materialized='incremental', unique_key='month_start',
          incremental_strategy='delete+insert') }}
with months as (
    {% if is_incremental() %}
    {{ affected_months(ref('dossiers'), this) }}
    {% else %}
    select distinct received_month as month_start from {{ ref('dossiers') }}
    union
    select distinct finished_month from {{ ref('dossiers') }} where finished_month is not null
    {% endif %}
),

dossiers as (
    select d.*, a.province_code
    from {{ ref('dossiers') }} as d
    left join {{ ref('ref_agencies') }} as a using (agency_code)
    where d.is_counted and d.received_at < {{ as_of() }}
      and (d.received_month in (select month_start from months)
           or d.finished_at >= (select min(month_start) from months))
),

per_unit as (
    select 'agency' as scope, agency_code as unit_code, * from dossiers
    union all
    select 'province', coalesce(province_code, 'unknown'), * from dossiers
),

received as (
    select
        scope, unit_code, received_month as month_start,
        count(*)                                               as dossiers_received,
        count(*) filter (where is_online)                      as dossiers_online,
        count(*) filter (where paid_online is not null)        as dossiers_with_fee,
        count(*) filter (where paid_online)                    as dossiers_paid_online,
        count(*) filter (where is_digitised)                   as dossiers_digitised
    from per_unit
    where received_month in (select month_start from months)
    group by 1, 2, 3
),

completed as (
    select
        scope, unit_code, finished_month as month_start,
        count(*)                                               as dossiers_completed,
        count(*) filter (where is_on_time)                     as dossiers_on_time,
        count(*) filter (where is_late)                        as dossiers_late
    from per_unit
    where finished_at < {{ as_of() }} and finished_month in (select month_start from months)
    group by 1, 2, 3
),

rates as (
    select
        coalesce(r.scope, c.scope)                             as scope,
        coalesce(r.unit_code, c.unit_code)                     as unit_code,
        coalesce(r.month_start, c.month_start)                 as month_start,
        coalesce(r.dossiers_received, 0)                       as dossiers_received,
        coalesce(c.dossiers_completed, 0)                      as dossiers_completed,
        round(c.dossiers_on_time::numeric / nullif(c.dossiers_completed, 0), 4) as on_time_rate,
        round(r.dossiers_online::numeric / nullif(r.dossiers_received, 0), 4) as online_rate,
        round(r.dossiers_paid_online::numeric / nullif(r.dossiers_with_fee, 0), 4)
                                                               as online_payment_rate,
        round(r.dossiers_digitised::numeric / nullif(r.dossiers_received, 0), 4)
                                                               as digitisation_rate,
        -- No complaints feed yet: the complaint rate counts as 0 (see docs/marts.md).
        round(1 - c.dossiers_late::numeric / nullif(c.dossiers_completed, 0), 4)
                                                               as satisfaction_rate
    from received as r
    full join completed as c using (scope, unit_code, month_start)
),

blocks as (
    select block_code, max_points, threshold, rate_column
    from {{ ref('ref_service_index_blocks') }}
    where computable_from_logs
),

points as (
    select
        r.scope, r.unit_code, r.month_start, b.block_code, b.max_points,
        case b.rate_column
            when 'on_time_rate' then r.on_time_rate
            when 'online_rate' then r.online_rate
            when 'online_payment_rate' then r.online_payment_rate
            when 'digitisation_rate' then r.digitisation_rate
            when 'satisfaction_rate' then r.satisfaction_rate
        end as rate,
        b.threshold
    from rates as r
    cross join blocks as b
),

scored as (
    select
        *,
        case
            when rate is null then null
            when threshold is null or threshold = 0 then round(rate * max_points, 2)
            when rate >= threshold then max_points::numeric
            else round(rate * max_points / threshold, 2)
        end as block_points
    from points
)

select
    r.scope,
    r.unit_code,
    r.month_start,
    r.dossiers_received,
    r.dossiers_completed,
    r.on_time_rate,
    r.online_rate,
    r.online_payment_rate,
    r.digitisation_rate,
    r.satisfaction_rate,
    max(s.block_points) filter (where s.block_code = 'on_time')        as on_time_points,
    max(s.block_points) filter (where s.block_code = 'online_service') as online_service_points,
    max(s.block_points) filter (where s.block_code = 'online_payment') as online_payment_points,
    max(s.block_points) filter (where s.block_code = 'digitisation')   as digitisation_points,
    max(s.block_points) filter (where s.block_code = 'satisfaction')   as satisfaction_points,
    sum(s.block_points)                                                as total_points,
    sum(s.max_points) filter (where s.block_points is not null)        as max_points_computed,
    {{ as_of() }}                                                      as as_of_at,
    (select max(processed_batch_id) from {{ ref('dossiers') }})       as source_batch_id
from rates as r
join scored as s using (scope, unit_code, month_start)
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
