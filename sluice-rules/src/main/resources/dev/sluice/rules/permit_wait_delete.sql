DELETE FROM ${schema}.action_permit_wait WHERE waiter = :waiter::uuid
