import { Link, useTitle } from '../router';

/** Any path the console does not know, and an organization the caller cannot see. */
export function NotFoundScreen({ what = 'page' }: { what?: 'page' | 'organization' }) {
  useTitle('Not found');
  return (
    <section class="narrow">
      <h1>{what === 'organization' ? 'Organization not found' : 'Page not found'}</h1>
      <p>
        {what === 'organization'
          ? 'This organization does not exist, or you are not a member of it. Ask one of its admins for an invitation.'
          : 'There is nothing at this address.'}
      </p>
      <p>
        <Link href="/console/">Go to your organizations</Link>
      </p>
    </section>
  );
}
