-- One row per dossier (current state) with its end of processing, effective appointment and
-- timeliness as of the run's cut-off. Rules: ../docs/onestop_rules.md (Decision 766).
with dossiers as (
    select * from {{ ref('int_dossiers_current') }}
),

statuses as (
    select status_code, is_finished, is_counted from {{ ref('ref_dossier_statuses') }}
),

timed as (
    select
        d.*,
        st.is_counted,
        -- End of processing: processed, else result returned, else refusal/stop.
        case when st.is_finished and d.status_code not in (3, 7)
             then coalesce(d.processed_at, d.returned_at, d.refused_at) end as finished_at,
        -- A supplement request moves the appointment: the citizen's time is not counted.
        coalesce(d.new_due_at, d.due_at) as appointment_at
    from dossiers as d
    left join statuses as st using (status_code)
),

with_due as (
    select
        *,
        -- An appointment given as a date only (00:00) lasts until the end of that day.
        case when appointment_at = date_trunc('day', appointment_at at time zone '{{ var("local_tz") }}')
                                   at time zone '{{ var("local_tz") }}'
             then appointment_at + interval '1 day' - interval '1 second'
             else appointment_at end as due_end_at
    from timed
)

select
    *,
    case
        when status_code = 7 then 'withdrawn'
        when status_code = 3 then 'not_received'
        when finished_at is not null and supplement_count > 1 then 'late'
        when finished_at is not null and due_end_at is null then 'no_appointment'
        when finished_at is not null
             and {{ local_date('finished_at') }} < {{ local_date('due_end_at') }} then 'early'
        when finished_at is not null and finished_at <= due_end_at then 'on_time'
        when finished_at is not null then 'late'
        when due_end_at < {{ as_of() }} then 'open_overdue'
        else 'open'
    end as timeliness
from with_due
