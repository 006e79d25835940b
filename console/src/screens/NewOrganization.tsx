export function NewOrganizationScreen() {
  return <h1>Create a team</h1>;
}
