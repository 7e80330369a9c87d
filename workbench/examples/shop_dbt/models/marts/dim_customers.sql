with customer_orders as (
    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as order_count,
        sum(total_amount) as customer_lifetime_value
    from {{ ref('fct_orders') }}
    where is_revenue
    group by customer_id
)

select
    customers.customer_id,
    customers.full_name,
    customers.email,
    customers.country,
    customers.segment,
    customer_orders.first_order_date,
    customer_orders.last_order_date,
    coalesce(customer_orders.order_count, 0) as order_count,
    coalesce(customer_orders.customer_lifetime_value, 0) as customer_lifetime_value
from {{ ref('stg_customers') }} as customers
left join customer_orders on customers.customer_id = customer_orders.customer_id
