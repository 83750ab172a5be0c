-- One row per due date of a recurring task ("Hằng quý": a report every quarter), with the
-- report that answers it and its verdict at the run's cut-off:
--   on_time  an accepted report dated after the previous due date, on or before this one
--            (not the one that already counted as the previous period's late report);
--   late     none on time, but one after this due date and before the next (or the cut-off);
-- A report answers one period: one dated 5/7 after a quarter with no report is that quarter's
-- late report, not also the next quarter's on-time one.
--   missing  neither, and the due date has passed;
--   pending  the due date has not passed yet.
with deadlines as (
    select * from {{ ref('int_task_deadlines') }}
    where is_recurring
),

reports as (
    select task_id, report_id, report_date
    from {{ ref('int_task_reports_matched') }}
    where is_accepted and report_date < {{ as_of_date() }}
),

answered as (
    select
        d.*,
        (select min(r.report_date) from reports as r
         where r.task_id = d.task_id
           and (d.previous_due_date is null or r.report_date > d.previous_due_date)
           and r.report_date <= d.due_date)                        as first_in_window,
        (select min(r.report_date) from reports as r
         where r.task_id = d.task_id
           and (d.previous_due_date is null or r.report_date > d.previous_due_date)
           and r.report_date <= d.due_date
           and r.report_date > (select min(r2.report_date) from reports as r2
                                where r2.task_id = d.task_id
                                  and (d.previous_due_date is null
                                       or r2.report_date > d.previous_due_date))
        )                                                          as second_in_window,
        (select min(r.report_date) from reports as r
         where r.task_id = d.task_id
           and r.report_date > d.due_date
           and (d.next_due_date is null or r.report_date <= d.next_due_date)) as late_report_date
    from deadlines as d
),

judged as (
    select
        *,
        -- the first report of the window went to the previous period when that one was late
        case when lag(first_in_window is null and late_report_date is not null)
                      over (partition by task_id order by due_date)
             then second_in_window else first_in_window end         as on_time_report_date
    from answered
)

select
    task_id,
    deadline_number,
    period_start,
    period_end,
    due_date,
    case when on_time_report_date is not null then on_time_report_date
         when first_in_window is null then late_report_date end      as report_date,
    case
        when on_time_report_date is not null then 'on_time'
        when first_in_window is null and late_report_date is not null then 'late'
        when due_date < {{ as_of_date() }} then 'missing'
        else 'pending'
    end                                                             as report_status
from judged
