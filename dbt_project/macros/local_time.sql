{#- Source timestamps are instants (timestamptz); reports speak in Vietnamese local time. -#}
{% macro local_date(ts) -%}
    ({{ ts }} at time zone '{{ var("local_tz") }}')::date
{%- endmacro %}

{% macro local_month(ts) -%}
    date_trunc('month', {{ ts }} at time zone '{{ var("local_tz") }}')::date
{%- endmacro %}

{#- The run's cut-off. chiso passes it in CHISO_AS_OF rather than --vars: a changed var makes
    dbt re-parse the whole project (≈ 3 s a night), a changed env var only the files using it. -#}
{% macro as_of() -%}
    '{{ env_var("CHISO_AS_OF", var("as_of")) }}'::timestamptz
{%- endmacro %}
