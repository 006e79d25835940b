// Placeholder: the screen itself comes with the screens' branch.
export function BrandingScreen() {
  return <h1>Branding</h1>;
}
