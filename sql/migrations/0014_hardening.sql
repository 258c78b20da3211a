-- 0014_hardening.sql — issue 14: limits that hold under concurrency and
-- access that ends when a role ends.
--
--   * signup_attempts: signups per client address in the throttling window
--     (shared by every instance through the database).

create table signup_attempts (
    id bigint generated always as identity primary key,
    ip text not null,
    at timestamptz not null default now()
);
create index signup_attempts_ip_idx on signup_attempts (ip, at);

--   * allocation_log: found by participant and outcome, so that a refusal
--     is recorded once per participant, cohort and outcome (reg_log).
create index allocation_log_user_outcome_idx on allocation_log (cohort_id, user_id, outcome);
