-- One row per progress-report row that refers to no loaded task (or predates its plan), with
-- the reason; these rows count in no status. Fix the reference or load the plan: the next
-- run matches them again.
select
    report_id,
    batch_id,
    source_row,
    report_date,
    plan_ref,
    plan_number,
    plan_date,
    task_number,
    task_key,
    reporting_unit,
    status_text,
    rejection_reason
from {{ ref('int_task_reports_matched') }}
where not is_accepted
order by report_date, batch_id, source_row
