-- The audit trail is append-only for every role but the tables' owner (the role migrations run as,
-- MIGRATION_DATABASE_URL). The service's runtime role (DATABASE_URL) may insert events and
-- checkpoints and move the stream heads forward, never rewrite or remove them: a trigger refuses
-- UPDATE, DELETE and TRUNCATE whatever privileges the role was granted (operators often grant DML
-- on all tables), and the privileges are revoked from PUBLIC as well. The owner (or a member of it,
-- or a superuser) keeps the power, as it could drop the trigger anyway.
-- On the embedded database (PGlite) there is a single role, the owner: there the keyed chain and the
-- signed checkpoints are what make a rewrite detectable (docs/keys.md).
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
    RETURN CASE WHEN TG_LEVEL = 'STATEMENT' THEN NULL WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'audit_append_only',
    DETAIL = format('%s on %s is refused for role %s: the audit trail is append-only', TG_OP, TG_TABLE_NAME, current_user);
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
-- A stream head only moves forward (the writer's lock-taking no-op update keeps it where it is).
CREATE TRIGGER audit_streams_forward_only BEFORE UPDATE ON "audit_streams"
  FOR EACH ROW WHEN (NEW.last_seq < OLD.last_seq OR NEW.stream <> OLD.stream) EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_streams_no_delete BEFORE DELETE ON "audit_streams"
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_streams_no_truncate BEFORE TRUNCATE ON "audit_streams"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_events", "audit_checkpoints" FROM PUBLIC;
--> statement-breakpoint
REVOKE DELETE, TRUNCATE ON "audit_streams" FROM PUBLIC;
--> statement-breakpoint
-- Roles already granted more on these tables (default privileges, GRANT ALL ON ALL TABLES) lose it
-- here too; a grant made later is still refused by the triggers above.
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT DISTINCT pg_get_userbyid(a.grantee) AS grantee
    FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.oid IN ('audit_events'::regclass, 'audit_checkpoints'::regclass, 'audit_streams'::regclass)
      AND a.grantee <> 0 AND a.grantee <> c.relowner
      AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
  LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints FROM %I', r.grantee);
    EXECUTE format('REVOKE DELETE, TRUNCATE ON audit_streams FROM %I', r.grantee);
  END LOOP;
END;
$$;
