-- One row per order (duplicates removed), with its store, status flags and payments by method.
with orders as (
    select *
    from {{ ref('stg_orders') }}
    qualify row_number() over (
        partition by order_id
        order by updated_at desc, total_amount desc, status, customer_id, store_id
    ) = 1
),

payments as (
    select
        order_id,
        {% for method in var('payment_methods') -%}
        sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount,
        {% endfor -%}
        sum(amount) as paid_amount
    from {{ ref('stg_payments') }}
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.store_id,
    stores.city as store_city,
    orders.status,
    statuses.is_revenue,
    orders.created_at,
    cast(orders.created_at as date) as order_date,
    orders.updated_at,
    orders.total_amount,
    {% for method in var('payment_methods') -%}
    coalesce(payments.{{ method }}_amount, 0) as {{ method }}_amount,
    {% endfor -%}
    coalesce(payments.paid_amount, 0) as paid_amount
from orders
left join {{ ref('stg_stores') }} as stores on orders.store_id = stores.store_id
left join {{ ref('order_statuses') }} as statuses on orders.status = statuses.status
left join payments on orders.order_id = payments.order_id
