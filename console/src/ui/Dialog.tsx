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
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
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
