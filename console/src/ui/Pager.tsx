import { useState } from 'preact/hooks';

type Props = {
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onFirst: () => void;
};

/** "Next page" while there is one, "First page" once past the first. */
export function Pager({ nextCursor, onNext, onFirst }: Props) {
  const [paged, setPaged] = useState(false);
  if (!nextCursor && !paged) return null;
  return (
    <div class="pager">
      {paged && (
        <button
          type="button"
          onClick={() => {
            setPaged(false);
            onFirst();
          }}
        >
          First page
        </button>
      )}
      {nextCursor && (
        <button
          type="button"
          onClick={() => {
            setPaged(true);
            onNext(nextCursor);
          }}
        >
          Next page
        </button>
      )}
    </div>
  );
}
