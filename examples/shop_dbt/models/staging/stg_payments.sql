select
    payment_id,
    order_id,
    method as payment_method,
    amount,
    paid_at
from {{ source('shop', 'payments') }}
