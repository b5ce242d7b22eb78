import { join } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Two pages from one build into `dashboard/dist/`: the dispatch dashboard (`index.html` + `src/`, served
 * at `/`) and the family page (`family.html` + `src/family/`, served at `/family/`).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // `public/` is the old no-build page (the cloud's fallback) and must not be copied into the build;
  // `static/` holds what is served as is: the family page's service worker, manifest and icons.
  publicDir: join(import.meta.dirname, 'static'),
  logLevel: 'warn',
  build: {
    outDir: join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      input: {
        main: join(import.meta.dirname, 'index.html'),
        family: join(import.meta.dirname, 'family.html'),
      },
    },
  },
  server: {
    // `npx vite --config dashboard/vite.config.ts` against a running `npm start`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
