-- 0016_sql_one_home.sql — issue 16: functions that four modules wrote again
-- each now have one home (sql/functions/content.sql): the programme of a
-- draft item, locked for the edit, is content_draft_item(table, …), so
-- the four per-table copies go.

drop function if exists content_module_programme(text, text, text);
drop function if exists content_lesson_programme(text, text, text);
drop function if exists quiz_programme_locked(text, text, text);
drop function if exists asg_programme_locked(text, text, text);
-- quiz_for_author names what a 404 is about (a quiz, or a question's quiz).
drop function if exists quiz_for_author(text, text, text);
