-- Capture and void claim a payment (`capturing` / `voiding`) before they call
-- the processor, so two callers never both reach it.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('authorized', 'held_for_review', 'capturing', 'voiding', 'captured', 'voided'));
