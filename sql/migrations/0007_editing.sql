-- 0007_editing: admins edit what they created — a programme's title and
-- description, a cohort's name, dates, window and settings — and take an
-- instructor off a cohort. Quotas, versions and certificate rules have
-- their own calls (0003, 0004, 0006). Every change is audited.

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.
