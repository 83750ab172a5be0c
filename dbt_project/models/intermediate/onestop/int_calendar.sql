-- One row per calendar day 2015–2040 with a running count of working days (Mon–Fri, less the
-- holidays in ref_holidays), so "N working days after D" is a lookup, not a loop.
with days as (
    select d::date as date_day
    from generate_series('2015-01-01'::date, '2040-12-31'::date, interval '1 day') as d
),

flagged as (
    select
        date_day,
        extract(isodow from date_day) < 6
            and date_day not in (select holiday_date from {{ ref('ref_holidays') }}) as is_working_day
    from days
)

select
    date_day,
    is_working_day,
    count(*) filter (where is_working_day) over (order by date_day) as working_day_number
from flagged
