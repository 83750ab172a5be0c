-- One row per due date of a task: one for a deadline ("Quý II" → 30/6), one per period for a
-- recurring deadline ("Hằng quý" → 31/3, 30/6, 30/9, 31/12; "Trước 15/12 hằng năm" → 15/12 of
-- each year), none for ongoing work. Periods run from the task's start to its last due date.
with tasks as (
    select task_id, timing_kind, recurrence, recurrence_month, recurrence_day, start_date,
           due_date
    from {{ ref('int_tasks_current') }}
    where timing_kind in ('deadline', 'recurring') and due_date is not null
),

periods as (
    select
        t.task_id,
        t.recurrence,
        t.recurrence_month,
        t.recurrence_day,
        p.period_start::date as period_start,
        (p.period_start
            + case t.recurrence when 'month' then interval '1 month'
                                when 'quarter' then interval '3 months'
                                when 'half_year' then interval '6 months'
                                else interval '1 year' end
            - interval '1 day')::date as period_end
    from tasks as t
    cross join lateral generate_series(
        date_trunc(case t.recurrence when 'half_year' then 'year' else t.recurrence end,
                   t.start_date),
        t.due_date,
        case t.recurrence when 'month' then interval '1 month'
                          when 'quarter' then interval '3 months'
                          when 'half_year' then interval '6 months'
                          else interval '1 year' end
    ) as p(period_start)
    where t.timing_kind = 'recurring'
),

recurring as (
    select
        task_id,
        period_start,
        period_end,
        case when recurrence_day is null then period_end
             else make_date(
                 extract(year from period_end)::int,
                 coalesce(case when recurrence = 'year' then recurrence_month end,
                          extract(month from period_end)::int),
                 least(recurrence_day, extract(day from (date_trunc('month', make_date(
                     extract(year from period_end)::int,
                     coalesce(case when recurrence = 'year' then recurrence_month end,
                              extract(month from period_end)::int), 1))
                     + interval '1 month - 1 day'))::int))
        end as due_date
    from periods
)

select
    task_id,
    row_number() over (partition by task_id order by due_date)::int as deadline_number,
    period_start,
    period_end,
    due_date,
    lag(due_date) over (partition by task_id order by due_date)     as previous_due_date,
    lead(due_date) over (partition by task_id order by due_date)    as next_due_date,
    true                                                            as is_recurring
from recurring
where due_date >= period_start
union all
select task_id, 1, start_date, due_date, due_date, null, null, false
from tasks
where timing_kind = 'deadline'
