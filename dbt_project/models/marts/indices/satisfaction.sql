{#- Answer levels counted as satisfied (1–5 scale); default "hài lòng" and "rất hài lòng". -#}
{%- set levels = var('satisfied_levels', [4, 5]) -%}
{%- if levels is string -%}{%- set levels = levels.split(',') -%}{%- endif -%}
-- One row per agency × element × period (calendar month and calendar year of the answer),
-- plus one row per agency × period over all elements (element_code 'all'): answers, the
-- answers at satisfied levels ({{ levels | join(', ') }}) and their share in percent.
with answers as (
    select
        *,
        row_number() over (
            partition by survey_id, question_code,
                coalesce(respondent_id_hash, batch_id::text || ':' || source_row::text)
            order by batch_id desc, source_row desc
        ) as row_rank
    from {{ ref('stg_indices__survey_answers') }}
),

elements as (
    select component_code, component_name_vi
    from {{ ref('ref_index_components') }}
    where index_code = 'sipas' and component_code is not null
),

labelled as (
    select
        a.agency_code,
        coalesce(a.element_code, a.element_name)    as element_code,
        coalesce(e.component_name_vi, a.element_name) as element_name,
        a.element_code is not null                  as is_sipas_element,
        a.answer,
        a.respondent_id_hash,
        a.survey_id,
        a.response_date
    from answers as a
    left join elements as e on e.component_code = a.element_code
    where a.row_rank = 1
),

with_all as (
    select * from labelled
    union all
    select agency_code, 'all', 'Tất cả yếu tố', true, answer, respondent_id_hash, survey_id,
        response_date
    from labelled
),

periods as (
    select *, 'month' as period_type, date_trunc('month', response_date)::date as period_start
    from with_all
    union all
    select *, 'year' as period_type, date_trunc('year', response_date)::date as period_start
    from with_all
)

select
    -- ids
    agency_code,
    element_code,

    -- strings
    element_name,
    period_type,

    -- numerics
    count(*)::integer                                        as responses,
    (count(*) filter (where answer in (
        {%- for level in levels %}{{ level | int }}{{ ', ' if not loop.last }}{% endfor -%}
    )))::integer                                             as satisfied_responses,
    count(distinct respondent_id_hash)::integer              as respondents,
    count(distinct survey_id)::integer                       as surveys,
    round(100.0 * count(*) filter (where answer in (
        {%- for level in levels %}{{ level | int }}{{ ', ' if not loop.last }}{% endfor -%}
    )) / count(*), 2)                                        as satisfaction_pct,

    -- booleans
    bool_and(is_sipas_element)                               as is_sipas_element,

    -- dates
    period_start,
    (case when period_type = 'month' then period_start + interval '1 month'
          else period_start + interval '1 year' end)::date - 1 as period_end
from periods
group by agency_code, element_code, element_name, period_type, period_start
