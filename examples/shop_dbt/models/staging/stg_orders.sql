select
    order_id,
    customer_id,
    store_id,
    lower(status) as status,
    created_at,
    updated_at,
    total_amount,
    {{ cents('total_amount') }} as total_amount_cents
from {{ source('shop', 'orders') }}
