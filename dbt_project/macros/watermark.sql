{#- The highest `column` already in an incremental model's table, rendered as a literal. A
    literal lets the planner estimate "newer than the watermark" from statistics; a subquery gets
    a blind one-in-three guess, and on millions of rows that guess picks full scans. -#}
{% macro watermark(column, relation=this, default=0) -%}
    {%- if execute and is_incremental() -%}
        {%- set value = run_query("select max(" ~ column ~ ") from " ~ relation).columns[0].values()[0] -%}
        {{- default if value is none else value -}}
    {%- else -%}
        {{- default -}}
    {%- endif -%}
{%- endmacro %}

{#- When this build runs, stamped on the rows it writes: the gate checks the rows built since the
    published version, and BI users can see how fresh a row is. -#}
{% macro built_at() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}
