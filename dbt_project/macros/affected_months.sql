{#- Months an incremental monthly mart must recompute: those of the dossiers that new exports
    changed (received or finished then), and the month that ends at the cut-off (its open and
    overdue counts move with every run). Earlier months are final once their dossiers are. -#}
{% macro affected_months(dossiers, watermark_relation) -%}
    {%- set since = watermark('source_batch_id', watermark_relation) -%}
    select received_month as month_start from {{ dossiers }}
    where processed_batch_id > {{ since }}
    union
    select finished_month from {{ dossiers }}
    where finished_month is not null
      and processed_batch_id > {{ since }}
    union
    select date_trunc('month', ({{ as_of() }} - interval '1 second')
                               at time zone '{{ var("local_tz") }}')::date
{%- endmacro %}
