import { render } from 'preact';
import { ensureIssuerOrigin, handleCallback, signedIn, signIn } from './auth';
import { navigate } from './router';
import { App } from './routes';
import './styles.css';

const root = document.getElementById('app')!;

function fail(title: string, detail: string) {
  render(
    <main class="boot">
      <h1>{title}</h1>
      <p role="alert">{detail}</p>
      <p>
        <a href="/console/">Try again</a>
      </p>
    </main>,
    root,
  );
}

async function boot() {
  await ensureIssuerOrigin();
  if (location.pathname.replace(/\/+$/, '') === '/console/callback') {
    render(
      <main class="boot">
        <p role="status">Signing in…</p>
      </main>,
      root,
    );
    const back = await handleCallback();
    navigate(back, { replace: true });
  } else if (!signedIn()) {
    await signIn();
  }
  render(<App />, root);
}

boot().catch((e: unknown) => {
  console.warn(e);
  fail('Sign-in did not work', e instanceof Error ? e.message : String(e));
});
