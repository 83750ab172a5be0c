-- One row per province × folded name (official name or alias) of a unit in ref_units: a name
-- is matched within the plan's province ("Văn phòng" of a Khánh Hòa department is not
-- Quảng Trị's).
with units as (
    select * from {{ ref('ref_units') }}
),

names as (
    select province_code, unit_code, unit_name, unit_name as name_as_written from units
    union
    select u.province_code, u.unit_code, u.unit_name, trim(a.alias)
    from units as u
    cross join lateral unnest(string_to_array(u.aliases, '|')) as a(alias)
    where trim(a.alias) <> ''
)

select distinct
    province_code,
    {{ fold_vi('name_as_written') }} as name_key,
    unit_code,
    unit_name
from names
