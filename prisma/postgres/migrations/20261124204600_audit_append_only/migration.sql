-- The audit trail is append-only (issue: data protection). The application has no update or delete
-- path; this trigger makes the database refuse one too, whoever connects.
CREATE OR REPLACE FUNCTION send_hub_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditEvent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEvent_append_only"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION send_hub_audit_append_only();
