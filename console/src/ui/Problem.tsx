import type { Problem } from '../api/client';

/** A problem's title and detail, announced (role="alert"); nothing when there is none. */
export function ProblemBanner({ problem }: { problem: Problem | null | undefined }) {
  if (!problem) return null;
  const unnamed = (problem.errors ?? []).filter((e) => !e.field);
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>
      {problem.detail && <span> {problem.detail}</span>}
      {unnamed.length > 0 && (
        <ul>
          {unnamed.map((e) => (
            <li>{e.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The message the problem gives for `field` (`errors[].field`, nested paths match by prefix). */
export function fieldError(problem: Problem | null | undefined, field: string): string | undefined {
  const errors = problem?.errors ?? [];
  const hit = errors.find((e) => e.field === field) ?? errors.find((e) => e.field.startsWith(`${field}.`));
  return hit?.message;
}
