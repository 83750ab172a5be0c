-- One row per progress-report row, with the task it refers to, or the reason it is rejected:
-- unknown plan, unknown task in a known plan, or a report dated before the plan. Reports are
-- matched here, not at ingest, because a report may arrive before its plan.
-- A plan number used by several plans (numbers restart yearly) resolves to the plan date the
-- report gives, else to the latest plan issued on or before the report date.
with reports as (
    select * from {{ ref('stg_tasks__task_reports') }}
),

tasks as (
    select task_id, plan_id, plan_key, plan_date, task_key, timing_kind, due_date
    from {{ ref('int_tasks_current') }}
),

plans as (
    select distinct plan_key, plan_date from tasks
),

candidates as (
    select
        r.report_id,
        t.task_id,
        t.plan_date  as task_plan_date,
        t.timing_kind,
        t.due_date,
        row_number() over (
            partition by r.report_id
            order by (t.plan_date <= r.report_date) desc nulls last, t.plan_date desc nulls last
        ) as candidate_rank
    from reports as r
    left join tasks as t
        on t.plan_key = r.plan_key
        and t.task_key = r.task_key
        and (r.plan_date is null or t.plan_date = r.plan_date)
),

matched as (
    select
        r.*,
        c.task_id,
        c.task_plan_date,
        c.timing_kind,
        c.due_date,
        exists (
            select 1 from plans as p
            where p.plan_key = r.plan_key and (r.plan_date is null or p.plan_date = r.plan_date)
        ) as is_plan_known
    from reports as r
    join candidates as c on c.report_id = r.report_id and c.candidate_rank = 1
),

judged as (
    select
        *,
        case
            when not is_plan_known then
                'unknown plan: no plan ' || coalesce(plan_number, plan_ref)
                || coalesce(' of ' || to_char(plan_date, 'DD/MM/YYYY'), '') || ' is loaded'
            when task_id is null then
                'unknown task: plan ' || coalesce(plan_number, plan_ref)
                || ' has no task ' || coalesce(task_key, '(none)')
            when report_date < task_plan_date then
                'report dated ' || to_char(report_date, 'DD/MM/YYYY')
                || ' before the plan (' || to_char(task_plan_date, 'DD/MM/YYYY') || ')'
        end as rejection_reason,
        case when report_status = 'completed' then coalesce(completion_date, report_date) end
            as reported_completion_date
    from matched
)

select
    report_id, batch_id, source_row,
    case when rejection_reason is null then task_id end   as task_id,
    plan_key, task_key, plan_ref, plan_number, task_number, reporting_unit,
    status_text, report_status, note, percent_done,
    report_date, plan_date, completion_date, reported_completion_date, observed_date,
    is_synthetic,
    rejection_reason,
    rejection_reason is null                              as is_accepted,
    -- The task's status as of the end of the report date, on what this report says.
    case when rejection_reason is null then
        {{ task_status('timing_kind', 'due_date', 'reported_completion_date', 'report_date + 1') }}
    end                                                   as status_at_report
from judged
