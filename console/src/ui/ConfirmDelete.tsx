import { useState } from 'preact/hooks';
import { problemOf, type Problem } from '../api/client';
import { Dialog } from './Dialog';
import { ProblemBanner } from './Problem';

type Props = {
  /** What is deleted, as in the button "Delete <what>" (e.g. "organization"). */
  what: string;
  /** The text to type to confirm (e.g. the slug or the name). */
  confirmText: string;
  onConfirm: () => Promise<void> | void;
  /** What deleting takes with it, shown in the dialog. */
  consequences?: string;
};

/** A "Delete …" button whose dialog asks to type `confirmText` before deleting. */
export function ConfirmDelete({ what, confirmText, onConfirm, consequences }: Props) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const close = () => {
    setOpen(false);
    setTyped('');
    setProblem(null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (typed !== confirmText) return;
    setBusy(true);
    setProblem(null);
    try {
      await onConfirm();
      close();
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete {what}
      </button>
      {open && (
        <Dialog title={`Delete ${what}`} onClose={close}>
          <form onSubmit={submit}>
            <h2>Delete {what}?</h2>
            <p>{consequences ?? 'This cannot be undone.'}</p>
            <label for="confirm-delete">
              Type <code>{confirmText}</code> to confirm
            </label>
            <input
              id="confirm-delete"
              value={typed}
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
            <ProblemBanner problem={problem} />
            <div class="actions">
              <button type="submit" class="danger" disabled={typed !== confirmText || busy}>
                Delete {what}
              </button>
              <button type="button" onClick={close}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  );
}
