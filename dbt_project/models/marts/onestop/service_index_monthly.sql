-- One row per unit × month: the Decision 766 one-stop service index blocks computable from
-- the logs, with their rates and points (threshold rule: full points at or above the block's
-- threshold, else rate × max / threshold). Units are agencies, plus one row per province
-- (scope = 'province', unit_code = the province code). Built from onestop_monthly's counts,
-- so both marts always agree and this one costs a few thousand rows a night.
with monthly as (
    select m.*, coalesce(a.province_code, 'unknown') as province_code
    from {{ ref('onestop_monthly') }} as m
    left join {{ ref('ref_agencies') }} as a using (agency_code)
),

per_unit as (
    select 'agency' as scope, agency_code as unit_code, * from monthly
    union all
    select 'province', province_code, * from monthly
),

counts as (
    select
        scope, unit_code, month_start,
        sum(dossiers_received)              as dossiers_received,
        sum(dossiers_received_online)       as dossiers_online,
        sum(dossiers_with_fee)              as dossiers_with_fee,
        sum(dossiers_paid_online)           as dossiers_paid_online,
        sum(dossiers_digitised)             as dossiers_digitised,
        sum(dossiers_completed)             as dossiers_completed,
        sum(dossiers_completed_on_time)     as dossiers_on_time,
        sum(dossiers_completed_late)        as dossiers_late,
        max(as_of_at)                       as as_of_at
    from per_unit
    group by 1, 2, 3
),

rates as (
    select
        scope, unit_code, month_start, dossiers_received, dossiers_completed, as_of_at,
        round(dossiers_on_time::numeric / nullif(dossiers_completed, 0), 4)      as on_time_rate,
        round(dossiers_online::numeric / nullif(dossiers_received, 0), 4)        as online_rate,
        round(dossiers_paid_online::numeric / nullif(dossiers_with_fee, 0), 4)   as online_payment_rate,
        round(dossiers_digitised::numeric / nullif(dossiers_received, 0), 4)     as digitisation_rate,
        -- No complaints feed yet: the complaint rate counts as 0 (see docs/marts.md).
        round(1 - dossiers_late::numeric / nullif(dossiers_completed, 0), 4)     as satisfaction_rate
    from counts
),

blocks as (
    select block_code, max_points, threshold, rate_column
    from {{ ref('ref_service_index_blocks') }}
    where computable_from_logs
),

scored as (
    select
        r.scope, r.unit_code, r.month_start, b.block_code, b.max_points, p.rate,
        case
            when p.rate is null then null
            when b.threshold is null or b.threshold = 0 then round(p.rate * b.max_points, 2)
            when p.rate >= b.threshold then b.max_points::numeric
            else round(p.rate * b.max_points / b.threshold, 2)
        end as block_points
    from rates as r
    cross join blocks as b
    cross join lateral (
        select case b.rate_column
            when 'on_time_rate' then r.on_time_rate
            when 'online_rate' then r.online_rate
            when 'online_payment_rate' then r.online_payment_rate
            when 'digitisation_rate' then r.digitisation_rate
            when 'satisfaction_rate' then r.satisfaction_rate
        end as rate
    ) as p
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
    r.as_of_at
from rates as r
join scored as s using (scope, unit_code, month_start)
group by r.scope, r.unit_code, r.month_start, r.dossiers_received, r.dossiers_completed,
         r.on_time_rate, r.online_rate, r.online_payment_rate, r.digitisation_rate,
         r.satisfaction_rate, r.as_of_at
