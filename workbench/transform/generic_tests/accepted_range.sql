{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
-- dbt_utils.accepted_range, exported by Pipeline Workbench as a local generic test (no packages needed)
select *
from {{ model }}
where 1 = 2
{%- if min_value is not none %}
   or not {{ column_name }} >{{ "=" if inclusive }} {{ min_value }}
{%- endif %}
{%- if max_value is not none %}
   or not {{ column_name }} <{{ "=" if inclusive }} {{ max_value }}
{%- endif %}
{% endtest %}
