// Placeholder: the screen itself comes with the screens' branch.
export function WorkspacesScreen() {
  return <h1>Workspaces</h1>;
}
