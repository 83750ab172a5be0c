-- The follow-up list: one row per dossier still open and past its appointment at the cut-off,
-- most overdue first. No personal data.
select
    d.dossier_code,
    d.procedure_code,
    coalesce(p.procedure_name, d.procedure_name)                      as procedure_name,
    d.agency_code,
    a.agency_name,
    d.status_code,
    d.received_at,
    d.due_end_at                                                       as due_at,
    ({{ as_of() }} at time zone '{{ var("local_tz") }}')::date
        - {{ local_date('d.due_end_at') }}                             as days_late,
    d.supplement_count,
    d.has_apology,
    {{ as_of() }}                                                      as as_of_at
from {{ ref('dossiers') }} as d
left join {{ ref('ref_procedures') }} as p using (procedure_code)
left join {{ ref('ref_agencies') }} as a using (agency_code)
where d.timeliness = 'open_overdue'
