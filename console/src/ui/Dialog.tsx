import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

type Props = {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  class?: string;
};

/**
 * A modal <dialog>: the page behind is inert, Escape closes it, and focus goes back to what had
 * it before. Rendered only while open.
 */
export function Dialog({ title, onClose, children, class: cls }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    dialog.showModal();
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    // A search field eats the first Escape (it clears itself): close on any Escape.
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancel(e);
    };
    dialog.addEventListener('cancel', cancel);
    dialog.addEventListener('keydown', key);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      dialog.removeEventListener('keydown', key);
      if (dialog.open) dialog.close();
      before?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class={cls ? `dialog ${cls}` : 'dialog'} aria-label={title}>
      {children}
    </dialog>
  );
}
