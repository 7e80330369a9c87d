select
    order_id,
    customer_id,
    store_id,
    lower(status) as status,
    created_at,
    updated_at,
    cast(total_amount as decimal(12, 2)) as total_amount,
    {{ cents('total_amount') }} as total_amount_cents
from {{ source('shop', 'orders') }}
