{{ config(severity='warn') }}
-- Orders whose payments exceed the order total by more than a cent.
select order_id, total_amount, paid_amount
from {{ ref('fct_orders') }}
where paid_amount > total_amount + 0.01
