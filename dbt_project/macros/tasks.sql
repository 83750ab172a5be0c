{#- Plan tasks (models/*/tasks). -#}

{#- A name folded for matching: parenthetical remarks dropped, Vietnamese letters without
    diacritics (đ → d), lower case, letters and digits only, "ủy ban nhân dân" → "ubnd".
    Pure SQL (translate), so it needs no extension and does not depend on the locale. -#}
{% macro fold_vi(expr) -%}
{%- set lo = 'àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ' -%}
{%- set lo_to = 'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd' -%}
replace(regexp_replace(lower(translate(
    regexp_replace(coalesce({{ expr }}, ''), '\([^)]*\)', '', 'g'),
    '{{ lo }}{{ lo | upper }}', '{{ lo_to }}{{ lo_to | upper }}'
)), '[^a-z0-9]', '', 'g'), 'uybannhandan', 'ubnd')
{%- endmacro %}

{#- A task's status at a snapshot (the first day NOT covered: a deadline of 30/6 is missed at
    a snapshot of 1/7). completion_date is when the task was reported done (null if not).
    Ongoing tasks ("Thường xuyên") have no deadline and are counted apart, done or not. -#}
{% macro task_status(timing_kind, due_date, completion_date, snapshot_date) -%}
case
    when {{ timing_kind }} = 'ongoing' then 'no_deadline'
    when {{ completion_date }} < {{ snapshot_date }} and {{ completion_date }} <= {{ due_date }}
        then 'completed_on_time'
    when {{ completion_date }} < {{ snapshot_date }} then 'completed_late'
    when {{ due_date }} < {{ snapshot_date }} then 'overdue'
    else 'in_progress'
end
{%- endmacro %}

{#- The run's cut-off as a local date: the first day the run does not cover. -#}
{% macro as_of_date() -%}
    {{ local_date(as_of()) }}
{%- endmacro %}
