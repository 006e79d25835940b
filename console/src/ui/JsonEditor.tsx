// A plain textarea for a JSON object, with the parse error shown inline (line and column) while
// typing, and an error from the API beside it. No editor library: a textarea is keyboard- and
// screen-reader-friendly as it is.
import { useId } from 'preact/hooks';

export type Parsed = { value?: Record<string, unknown>; error?: string };

/** Parses `text` as a JSON object; an empty text is the empty object. */
export function parseJsonObject(text: string): Parsed {
  if (text.trim() === '') return { value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { error: 'The spec must be a JSON object: { … }.' };
    }
    return { value: value as Record<string, unknown> };
  } catch (e) {
    return { error: describe(text, e instanceof Error ? e.message : String(e)) };
  }
}

// "… at position 12 (line 2 column 3)" in V8; the position alone elsewhere.
function describe(text: string, message: string): string {
  const clean = message.replace(/^JSON\.parse: /, '').replace(/\s*\(line \d+ column \d+\)/, '');
  const at = /position (\d+)/.exec(message);
  if (!at) return clean;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `Line ${line}, column ${column}: ${clean.replace(/\s*in JSON at position \d+/, '')}`;
}

export function JsonEditor(props: {
  label: string;
  value: string;
  onInput: (text: string) => void;
  apiError?: string;
  readOnly?: boolean;
  rows?: number;
}) {
  const id = useId();
  const parsed = parseJsonObject(props.value);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = Boolean(parsed.error || props.apiError);

  function format() {
    if (parsed.value) props.onInput(JSON.stringify(parsed.value, null, 2));
  }

  return (
    <div class="c2-json">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        class="c2-code"
        value={props.value}
        rows={props.rows ?? 10}
        spellcheck={false}
        readOnly={props.readOnly}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={`${hintId} ${errorId}`}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <div class="c2-json-bar">
        <small id={hintId} class="muted">
          {props.readOnly ? 'Read only.' : 'A JSON object, up to 64 KiB.'}
        </small>
        {!props.readOnly && (
          <button type="button" class="c2-link" onClick={format} disabled={!parsed.value}>
            Format JSON
          </button>
        )}
      </div>
      <div id={errorId} aria-live="polite">
        {parsed.error && <p class="c2-error">Not valid JSON. {parsed.error}</p>}
        {!parsed.error && props.apiError && <p class="c2-error">{props.apiError}</p>}
      </div>
    </div>
  );
}
