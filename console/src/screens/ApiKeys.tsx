export function ApiKeysScreen() {
  return <h1>API keys</h1>;
}
