// /console/accept-invitation?token=…: the link mailed with an invitation. The tab is signed in
// (or signed up) by then; accepts with the token, then opens the organization.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import { currentUser, ensureOrganization, signOut } from '../auth';
import { Link, navigate, useTitle } from '../router';
import { Loading } from '../ui/Loading';
import { ProblemBanner } from '../ui/Problem';

const started = new Set<string>(); // one attempt per token and page

function explain(problem: Problem): string | null {
  if (problem.status === 403) {
    return `This invitation was sent to another email address than yours (${currentUser()?.email ?? 'unknown'}). Sign out and sign in or sign up with the invited address.`;
  }
  if (problem.status === 410) return 'This invitation was used, revoked or has expired. Ask the organization for a new one.';
  if (problem.status === 404) return 'This invitation link is not valid. Check that you opened the whole link from the email.';
  return null;
}

export function AcceptInvitationScreen({ token }: { token: string | null }) {
  useTitle('Accept invitation');
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    if (!token || started.has(token)) return;
    started.add(token);
    unwrap(api.POST('/api/v1/invitations/accept', { body: { token } }))
      .then(async (member) => {
        const slug = member.organization?.slug;
        if (!slug) {
          navigate('/console/', { replace: true });
          return;
        }
        await ensureOrganization(slug);
        navigate(`/console/o/${encodeURIComponent(slug)}`, { replace: true });
      })
      .catch((e) => setProblem(problemOf(e)));
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
      {!problem && <Loading />}
      <ProblemBanner problem={problem} />
      {why && <p>{why}</p>}
      {problem && (
        <div class="actions">
          <Link href="/console/">Go to your organizations</Link>
          {problem.status === 403 && (
            <button type="button" onClick={() => void signOut()}>
              Sign out and use another account
            </button>
          )}
        </div>
      )}
    </section>
  );
}
