select
    customer_id,
    lower(email) as email,
    full_name,
    country,
    segment,
    signup_date
from {{ source('shop', 'customers') }}
