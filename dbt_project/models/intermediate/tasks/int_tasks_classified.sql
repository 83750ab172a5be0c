-- One row per task of a plan issued before the run's cut-off, with its latest accepted report
-- before the cut-off and its status at the cut-off:
-- completed_on_time / completed_late / in_progress / overdue / no_deadline.
with tasks as (
    select * from {{ ref('int_tasks_current') }}
    where plan_date < {{ as_of_date() }}
),

reports as (
    select
        *,
        row_number() over (
            partition by task_id order by report_date desc, batch_id desc, source_row desc
        ) as report_rank
    from {{ ref('int_task_reports_matched') }}
    where is_accepted and report_date < {{ as_of_date() }}
),

latest as (
    select * from reports where report_rank = 1
),

joined as (
    select
        t.*,
        l.report_id                     as latest_report_id,
        l.report_date                   as latest_report_date,
        l.report_status                 as latest_report_status,
        l.status_text                   as latest_status_text,
        l.percent_done                  as latest_percent_done,
        l.note                          as latest_note,
        -- The latest report is authoritative: a task reported done and later reported still
        -- in progress is not done.
        l.reported_completion_date      as completion_date,
        {{ as_of_date() }}              as status_snapshot_date
    from tasks as t
    left join latest as l using (task_id)
)

select
    *,
    {{ task_status('timing_kind', 'due_date', 'completion_date', 'status_snapshot_date') }}
        as task_status,
    case when timing_kind = 'deadline' and due_date < status_snapshot_date
              and (completion_date is null or completion_date >= status_snapshot_date)
         then status_snapshot_date - due_date end as days_overdue
from joined
