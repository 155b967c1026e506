-- A claim left by an unknown outcome goes back to `authorized`: staff
-- reconcile it with the processor.
UPDATE payments SET status = 'authorized' WHERE status IN ('capturing', 'voiding');
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('authorized', 'held_for_review', 'captured', 'voided'));
