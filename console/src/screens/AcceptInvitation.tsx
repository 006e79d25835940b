// /console/accept-invitation?token=…: the link mailed with an invitation. The tab is signed in
// (or signed up) by then: the console accepts with the token at once and opens the organization.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import { currentUser, ensureOrganization, signOut } from '../auth';
import { Link, navigate, useTitle } from '../router';
import { ProblemBanner } from '../ui/Problem';

const tried = new Set<string>(); // each token is sent once per page load

function explain(problem: Problem): string | null {
  if (problem.status === 403) {
    return `This invitation was sent to another email address than yours (${currentUser()?.email ?? 'unknown'}). Sign out, then open the link again and sign in or sign up with the invited address.`;
  }
  if (problem.status === 410) return 'This invitation was used, revoked or has expired. Ask the organization for a new one.';
  if (problem.status === 404) return 'This invitation link is not valid. Check that you opened the whole link from the email.';
  return null;
}

export function AcceptInvitationScreen({ token }: { token: string | null }) {
  useTitle('Accept invitation');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(!!token && !tried.has(token));
  const user = currentUser();

  const accept = async () => {
    if (!token) return;
    tried.add(token);
    setBusy(true);
    setProblem(null);
    try {
      const member = await unwrap(api.POST('/api/v1/invitations/accept', { body: { token } }));
      const slug = member.organization?.slug;
      if (slug) await ensureOrganization(slug);
      navigate(slug ? `/console/o/${encodeURIComponent(slug)}` : '/console/', { replace: true });
    } catch (e) {
      setProblem(problemOf(e));
      setBusy(false);
    }
  };

  useEffect(() => {
    if (token && !tried.has(token)) void accept();
  }, [token]);

  if (!token) {
    return (
      <section class="narrow">
        <h1>Accept invitation</h1>
        <p>This link has no invitation token. Open the link from the invitation email again.</p>
        <Link href="/console/">Go to your organizations</Link>
      </section>
    );
  }
  const why = problem && explain(problem);
  return (
    <section class="narrow">
      <h1>Accept invitation</h1>
      <p>
        Joining the organization as <strong>{user?.email ?? 'unknown'}</strong>: the invitation must have been sent to this
        address.
      </p>
      {busy && (
        <p role="status" class="loading">
          Accepting…
        </p>
      )}
      <ProblemBanner problem={problem} />
      {why && <p>{why}</p>}
      <div class="actions">
        {problem && (problem.status === 0 || problem.status >= 500) && (
          <button type="button" class="primary" disabled={busy} onClick={() => void accept()}>
            Try again
          </button>
        )}
        {problem?.status === 403 && (
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
        <Link href="/console/">Go to your organizations</Link>
      </div>
    </section>
  );
}
