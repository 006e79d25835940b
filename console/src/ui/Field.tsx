import { cloneElement, type ComponentChildren, type VNode } from 'preact';
import { useId } from 'preact/hooks';

type Props = {
  label: string;
  error?: string;
  hint?: ComponentChildren;
  children: VNode<any>;
};

/** A labelled control with its hint and error below it, wired with aria-describedby/-invalid. */
export function Field({ label, error, hint, children }: Props) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, {
    id: (children.props as { id?: string }).id ?? id,
    'aria-describedby': describedBy,
    'aria-invalid': error ? 'true' : undefined,
  });
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={(control.props as { id: string }).id}>{label}</label>
      {control}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
