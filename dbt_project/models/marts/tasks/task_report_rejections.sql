-- One row per progress-report row that refers to no loaded task (or predates its plan), with
-- the reason; these rows count in no status. Fix the reference or load the plan: the next
-- run matches them again.
select
    r.report_id,
    r.batch_id,
    r.source_row,
    r.report_date,
    r.plan_ref,
    r.plan_number,
    r.plan_date,
    r.task_number,
    r.task_key,
    r.reporting_unit,
    r.status_text,
    r.rejection_reason,
    -- the province of the plan named, when that plan is loaded (null for an unknown plan)
    (select min(t.province_code) from {{ ref('int_tasks_current') }} as t
     where t.plan_key = r.plan_key)                      as province_code,
    r.is_synthetic
from {{ ref('int_task_reports_matched') }} as r
where not is_accepted
order by report_date, batch_id, source_row
