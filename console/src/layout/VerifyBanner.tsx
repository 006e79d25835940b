// Tells a user whose email address is not verified, and mails a new link on request.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import type { User } from '../api/types';
import { ProblemBanner } from '../ui/Problem';

let cached: Promise<User> | null = null;

export function VerifyBanner() {
  const [user, setUser] = useState<User | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    cached ??= unwrap(api.GET('/api/v1/user'));
    cached.then(setUser).catch((e) => {
      cached = null;
      setProblem(problemOf(e));
    });
  }, []);

  if (problem && !user) return <ProblemBanner problem={problem} />;
  if (!user || user.email_verified) return null;

  const resend = async () => {
    setBusy(true);
    setProblem(null);
    const { error, response } = await api.POST('/api/v1/user/email-verification');
    setBusy(false);
    if (response.ok) setSent(true);
    else setProblem(problemOf(error));
  };

  return (
    <div class="banner" role="region" aria-label="Email verification">
      <p>
        Your email address <strong>{user.email}</strong> is not verified yet: follow the link we mailed you. Invitations
        to it show up once it is.
      </p>
      {sent ? (
        <p role="status">A new link is on its way: check your inbox.</p>
      ) : (
        <button type="button" onClick={resend} disabled={busy}>
          Resend verification email
        </button>
      )}
      <ProblemBanner problem={problem} />
    </div>
  );
}
