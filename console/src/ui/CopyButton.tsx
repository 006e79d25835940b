import { useState } from 'preact/hooks';

/** A "Copy" button that puts `text` on the clipboard and announces "Copied". */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const [state, setState] = useState<'' | 'Copied' | 'Copy failed: select the text and copy it'>('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('Copied');
    } catch {
      setState('Copy failed: select the text and copy it');
    }
    setTimeout(() => setState(''), 2500);
  };
  return (
    <span class="copy">
      <button type="button" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span role="status" class="copy-status">
        {state}
      </span>
    </span>
  );
}
