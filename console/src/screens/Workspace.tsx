// Placeholder: the screen itself comes with the screens' branch.
export function WorkspaceScreen({ wsId }: { wsId: string }) {
  return <h1 data-ws={wsId}>Workspace</h1>;
}
