-- pg_temp.outcome(sql): SQLSTATE and message of a statement, or 'no error'. Included by the
-- regression tests with \i. (query_canceled cannot be caught by EXCEPTION WHEN OTHERS; tests check
-- it with \set VERBOSITY sqlstate.)
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
