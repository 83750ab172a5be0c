{#- Use the folder's schema as written (staging, intermediate, candidate), not target_schema + '_' + schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
