-- 0007_editing: admins edit what they created — a programme's title and
-- description, a cohort's name, dates, window and settings — and take an
-- instructor off a cohort. Quotas, versions and certificate rules have
-- their own calls (0003, 0004, 0006). Every change is audited.

-- p_changes: {title?, description?}; the table's constraints refuse bad
-- values (the caller answers 422). Null when there is no such programme.
create function reg_programme_update(p_slug text, p_changes jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
begin
    update programmes
       set title = case when p_changes ? 'title' then p_changes ->> 'title' else title end,
           description = case when p_changes ? 'description' then p_changes ->> 'description'
                              else description end
     where slug = p_slug
    returning * into p;
    if not found then
        return null;
    end if;
    insert into audit_log (actor_id, action, details)
    values (p_actor_id, 'programme.updated', jsonb_build_object('id', p.id, 'changes', p_changes));
    return reg_programme_json(p, true);
end;
$$;

-- p_changes: {name?, registration_opens_at?, registration_closes_at?,
-- starts_on?, ends_on?, jp?, residency_prefix?, spillover_at?,
-- offer_ttl_s?} (null clears the optional ones). Null when there is no such
-- cohort.
create function reg_cohort_update(p_id text, p_changes jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    c cohorts;
begin
    update cohorts
       set name = coalesce(p_changes ->> 'name', name),
           registration_opens_at = coalesce((p_changes ->> 'registration_opens_at')::timestamptz,
                                            registration_opens_at),
           registration_closes_at = coalesce((p_changes ->> 'registration_closes_at')::timestamptz,
                                             registration_closes_at),
           starts_on = coalesce((p_changes ->> 'starts_on')::date, starts_on),
           ends_on = coalesce((p_changes ->> 'ends_on')::date, ends_on),
           jp = coalesce((p_changes ->> 'jp')::integer, jp),
           residency_prefix = case when p_changes ? 'residency_prefix'
                                   then p_changes ->> 'residency_prefix' else residency_prefix end,
           spillover_at = case when p_changes ? 'spillover_at'
                               then (p_changes ->> 'spillover_at')::timestamptz
                               else spillover_at end,
           offer_ttl_s = case when p_changes ? 'offer_ttl_s'
                              then (p_changes ->> 'offer_ttl_s')::integer else offer_ttl_s end
     where id = p_id
    returning * into c;
    if not found then
        return null;
    end if;
    insert into audit_log (actor_id, action, details)
    values (p_actor_id, 'cohort.updated', jsonb_build_object('id', c.id, 'changes', p_changes));
    return reg_cohort_json(c);
end;
$$;

-- Takes an instructor off a cohort. {status, body}.
create function reg_instructor_remove(p_cohort_id text, p_user_id text, p_actor_id text)
returns json
language plpgsql as $$
begin
    delete from cohort_instructors where cohort_id = p_cohort_id and user_id = p_user_id;
    if not found then
        return content_not_found('instructor of this cohort');
    end if;
    insert into audit_log (actor_id, action, subject_id, details)
    values (p_actor_id, 'cohort.instructor_removed', p_user_id,
            jsonb_build_object('cohort_id', p_cohort_id));
    return sinau_ok(204, null);
end;
$$;
