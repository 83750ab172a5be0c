-- One row per task per reporting period (quarter, half-year, year) in which it counts, with
-- its status at the period's end (or at the run's cut-off for the period under way).
-- A task counts in a period when its plan was issued by then and its span
-- [start (else plan date), deadline (else, for "Thường xuyên", the plan year's end)] meets the
-- year-to-date [1 January, period end]; tasks overdue and still open at the start of the year
-- are carried over. Periods are cumulative from 1 January, as provincial reports count them.
with tasks as (
    select * from {{ ref('int_tasks_classified') }}
),

years as (
    select generate_series(
        (select min(extract(year from plan_date))::int from tasks),
        extract(year from {{ as_of_date() }} - 1)::int
    ) as period_year
),

periods as (
    select
        'quarter' as period_type,
        make_date(y.period_year, 3 * q - 2, 1) as period_start,
        (make_date(y.period_year, 3 * q - 2, 1) + interval '3 months' - interval '1 day')::date
            as period_end,
        y.period_year || '-Q' || q as period_label,
        y.period_year
    from years as y cross join generate_series(1, 4) as q
    union all
    select
        'half_year',
        make_date(y.period_year, 6 * h - 5, 1),
        (make_date(y.period_year, 6 * h - 5, 1) + interval '6 months' - interval '1 day')::date,
        y.period_year || '-H' || h,
        y.period_year
    from years as y cross join generate_series(1, 2) as h
    union all
    select 'year', make_date(y.period_year, 1, 1), make_date(y.period_year, 12, 31),
           y.period_year::text, y.period_year
    from years as y
),

open_periods as (
    select
        *,
        make_date(period_year, 1, 1) as year_start,
        least(period_end + 1, {{ as_of_date() }}) as snapshot_date
    from periods
    where period_start < {{ as_of_date() }}
),

spans as (
    select
        *,
        coalesce(start_date, plan_date) as span_start,
        coalesce(due_date, case when start_date is null
                                then make_date(extract(year from plan_date)::int, 12, 31) end)
            as span_end
    from tasks
)

select
    t.task_id,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    p.snapshot_date,
    {{ task_status('t.timing_kind', 't.due_date', 't.completion_date', 'p.snapshot_date') }}
        as period_status
from spans as t
join open_periods as p
    on t.plan_date < p.snapshot_date
    and (
        (t.span_start <= p.period_end and (t.span_end is null or t.span_end >= p.year_start))
        or (t.due_date < p.year_start
            and (t.completion_date is null or t.completion_date >= p.year_start))
    )
