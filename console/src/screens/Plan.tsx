// Placeholder: the screen itself comes with the screens' branch.
export function PlanScreen() {
  return <h1>Plan and usage</h1>;
}
