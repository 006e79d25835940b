export function HomeScreen() {
  return <h1>Your organizations</h1>;
}
