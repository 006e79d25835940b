// Placeholder: the screen itself comes with the screens' branch.
export function AuditLogScreen() {
  return <h1>Audit log</h1>;
}
