{% test expression_is_true(model, expression, column_name=none) %}
-- dbt_utils.expression_is_true, exported by Pipeline Workbench as a local generic test (no packages needed)
select *
from {{ model }}
{%- if column_name is none %}
where not ({{ expression }})
{%- else %}
where not ({{ column_name }} {{ expression }})
{%- endif %}
{% endtest %}
