/** A quiet "Loading…" that screen readers hear once. */
export function Loading() {
  return (
    <p class="loading" role="status">
      Loading…
    </p>
  );
}
