import { defineConfig } from 'vite';

// Served by the bulkhead binary under /console/ (hashed assets, long cache).
// JSX goes through Vite's own esbuild with Preact's automatic runtime: no plugin.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { target: 'es2022', assetsInlineLimit: 0 },
  server: {
    // `npm run dev` talks to a server started with --listen 127.0.0.1:38080 (its public URL must
    // then be the dev server's, or sign-in goes to the server's origin).
    proxy: Object.fromEntries(
      ['/api', '/oauth2', '/.well-known', '/login', '/signup', '/organization', '/openapi.json'].map((p) => [
        p,
        'http://127.0.0.1:38080',
      ]),
    ),
  },
});
