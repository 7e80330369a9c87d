select
    order_date,
    store_id,
    count(*) as orders,
    sum(total_amount) as revenue,
    {{ safe_divide('sum(total_amount)', 'count(*)') }} as average_order_value
from {{ ref('fct_orders') }}
where is_revenue
group by order_date, store_id
