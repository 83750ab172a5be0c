{#- Roll-up of pre-2025 units into the post-2025 unit that absorbed them.
    var index_rollup_method: mean (default) | median | min | max.
    var index_rollup_require_complete (default true): no value unless every old unit has one. -#}
{%- set method = var('index_rollup_method', 'mean') -%}
{%- set require_complete = var('index_rollup_require_complete', true) -%}
{%- if method == 'mean' -%}{%- set agg = 'avg(p.score)' -%}
{%- elif method == 'median' -%}{%- set agg = 'percentile_cont(0.5) within group (order by p.score)' -%}
{%- elif method in ('min', 'max') -%}{%- set agg = method ~ '(p.score)' -%}
{%- else -%}{{ exceptions.raise_compiler_error("index_rollup_method must be mean, median, min or max, not " ~ method) }}
{%- endif -%}
-- One row per post-2025 unit that absorbed others × year before 2025 × index × component:
-- the old units' scores combined ({{ method }}), marked is_derived.
with published as (
    select * from {{ ref('int_index_scores_published') }}
    where year < 2025
),

mergers as (
    select * from {{ ref('ref_province_mergers') }}
    where new_province_code <> old_province_code
),

members as (
    select new_province_code, count(*) as expected_units
    from mergers
    group by new_province_code
),

rolled as (
    select
        m.new_province_code                 as province_code,
        p.year,
        p.index_code,
        p.component_code,
        ({{ agg }})::numeric                as score,
        count(p.score)                      as source_units,
        bool_or(p.is_synthetic)             as is_synthetic
    from published as p
    inner join mergers as m on m.old_province_code = p.province_code
    group by m.new_province_code, p.year, p.index_code, p.component_code
)

select
    r.province_code,
    pr.province_name,
    r.year,
    r.index_code,
    r.component_code,
    r.score,
    null::integer                           as published_rank,
    r.province_code                         as current_province_code,
    true                                    as is_derived,
    r.source_units::integer                 as source_units,
    mb.expected_units::integer              as expected_units,
    null::bigint                            as batch_id,
    r.is_synthetic
from rolled as r
inner join members as mb on mb.new_province_code = r.province_code
inner join {{ ref('ref_provinces') }} as pr on pr.province_code = r.province_code
where r.source_units > 0
{%- if require_complete %}
    and r.source_units = mb.expected_units
{%- endif %}
