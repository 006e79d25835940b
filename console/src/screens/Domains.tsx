// Placeholder: the screen itself comes with the screens' branch.
export function DomainsScreen() {
  return <h1>Domains</h1>;
}
