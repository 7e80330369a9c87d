select
    store_id,
    store_name,
    city,
    opened_on
from {{ source('shop', 'stores') }}
