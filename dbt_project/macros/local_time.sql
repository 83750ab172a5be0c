{#- Source timestamps are instants (timestamptz); reports speak in Vietnamese local time. -#}
{% macro local_date(ts) -%}
    ({{ ts }} at time zone '{{ var("local_tz") }}')::date
{%- endmacro %}

{% macro local_month(ts) -%}
    date_trunc('month', {{ ts }} at time zone '{{ var("local_tz") }}')::date
{%- endmacro %}

{% macro as_of() -%}
    '{{ var("as_of") }}'::timestamptz
{%- endmacro %}
