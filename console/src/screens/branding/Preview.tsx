// A live picture of the hosted sign-in page (src/api/page.cpp) with the branding being edited.
// Drawn here rather than framed: the real page forbids framing (frame-ancestors 'none').
import { useEffect, useState } from 'preact/hooks';

export const DEFAULT_COLOUR = '#1f4f8f';

/** WCAG relative luminance of "#rrggbb". */
function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of white text on `hex` (the sign-in button, and links on white). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

export function isHexColour(s: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(s);
}

/** A logo address settles before it is loaded (no request per keystroke). */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function SignInPreview(props: { displayName: string; logoUrl: string; colour: string }) {
  const colour = isHexColour(props.colour) ? props.colour : DEFAULT_COLOUR;
  const name = props.displayName.trim() || 'Bulkhead';
  const logo = useSettled(/^https:\/\/[^\s]+\.[^\s]+/.test(props.logoUrl) ? props.logoUrl : '', 600);
  const [broken, setBroken] = useState('');
  const readable = contrastWithWhite(colour) >= 4.5;
  // The page uses white on the colour; the preview keeps the text readable either way and says so.
  const buttonText = readable ? '#fff' : '#1b1b1b';
  const linkColour = readable ? colour : '#1b1b1b';

  return (
    <section class="c2-preview" aria-labelledby="c2-preview-title">
      <h2 id="c2-preview-title">Sign-in page preview</h2>
      <div class="c2-preview-page" style={{ ['--brand' as string]: colour }}>
        <div class="c2-preview-header">
          {logo && broken !== logo && (
            <img src={logo} alt={`${name} logo`} onError={() => setBroken(logo)} referrerpolicy="no-referrer" />
          )}
          <strong>{name}</strong>
        </div>
        <p class="c2-preview-title">Sign in</p>
        <div class="c2-preview-field">Email</div>
        <div class="c2-preview-input" />
        <div class="c2-preview-field">Password</div>
        <div class="c2-preview-input" />
        <div class="c2-preview-button" style={{ background: colour, color: buttonText }}>
          Sign in
        </div>
        <p style={{ color: linkColour }} class="c2-preview-link">
          Forgot your password?
        </p>
      </div>
      {broken && broken === logo && <p class="c2-error">The logo could not be loaded from {logo}.</p>}
      {!readable && (
        <p class="notice">
          White text on {colour} is hard to read (contrast {contrastWithWhite(colour).toFixed(1)}:1, under
          4.5:1): the sign-in button and links use it. A darker colour reads better.
        </p>
      )}
    </section>
  );
}
