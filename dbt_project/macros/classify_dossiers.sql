{#- Decision 766 timeliness of one-stop dossiers, shared by int_dossiers_classified (all
    dossiers) and the incremental mart `dossiers` (only the dossiers a night changed), so the
    rules live in one place. Emits CTEs ending in `classified`; `dossiers` names a relation or
    CTE with int_dossiers_current's columns. Rules:
      * end of processing = processed, else result returned, else refused/stopped;
      * a supplement request moves the appointment (NgayHenTraMoi): the citizen's time is not
        counted; more than one supplement request counts as late;
      * a dossier without an appointment is held to the procedure's legal maximum duration
        (working days after receipt, ref_procedures.legal_days, holidays in ref_holidays);
      * an appointment given as a date only lasts until the end of that day;
      * finished before the appointment's day = early, on that day = on time (both "on time");
      * unfinished dossiers are judged at the cut-off: overdue once the appointment has passed.
-#}
{% macro classify_dossiers(dossiers) %}
statuses as (
    select status_code, is_finished, is_counted from {{ ref('ref_dossier_statuses') }}
),

procedures as (
    select procedure_code, legal_days from {{ ref('ref_procedures') }}
),

calendar as (
    select date_day, is_working_day, working_day_number from {{ ref('int_calendar') }}
),

timed as (
    select
        d.*,
        coalesce(st.is_counted, true) as is_counted,
        case when st.is_finished and d.status_code not in (3, 7)
             then coalesce(d.processed_at, d.returned_at, d.refused_at) end as finished_at,
        coalesce(d.new_due_at, d.due_at) as given_appointment_at,
        p.legal_days
    from {{ dossiers }} as d
    left join statuses as st using (status_code)
    left join procedures as p using (procedure_code)
),

with_due as (
    select
        t.*,
        coalesce(t.given_appointment_at, l.legal_due_at) as appointment_at,
        t.given_appointment_at is null and l.legal_due_at is not null as is_legal_deadline,
        case
            when t.given_appointment_at is null then l.legal_due_at
            when t.given_appointment_at = date_trunc('day', t.given_appointment_at
                                                     at time zone '{{ var("local_tz") }}')
                                          at time zone '{{ var("local_tz") }}'
                then t.given_appointment_at + interval '1 day' - interval '1 second'
            else t.given_appointment_at
        end as due_end_at
    from timed as t
    -- The legal deadline: the end of the legal_days-th working day after the day of receipt
    -- (plain joins on the calendar: hash joins, not a lookup per dossier).
    left join calendar as received_day
      on t.given_appointment_at is null
     and received_day.date_day = {{ local_date('t.received_at') }}
    left join calendar as due_day
      on due_day.is_working_day
     and due_day.working_day_number = received_day.working_day_number + t.legal_days
    cross join lateral (
        select (due_day.date_day + interval '1 day' - interval '1 second')
                   at time zone '{{ var("local_tz") }}' as legal_due_at
    ) as l
),

classified as (
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
)
{% endmacro %}
