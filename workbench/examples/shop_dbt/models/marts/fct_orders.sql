{{ config(materialized='incremental', unique_key='order_id', incremental_strategy='delete+insert') }}

select
    order_id,
    customer_id,
    store_id,
    order_date,
    status,
    is_revenue,
    total_amount,
    paid_amount,
    updated_at
from {{ ref('int_orders_enriched') }}
where created_at <= timestamp '{{ var("snapshot_at") }}'
{% if is_incremental() %}
  and updated_at > (select max(updated_at) from {{ this }})
{% endif %}
