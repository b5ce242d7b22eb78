import { join } from 'node:path';
import { defineConfig } from 'vite';

/** The dispatch dashboard: `dashboard/index.html` + `src/` → `dashboard/dist/`, served by the cloud at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // `public/` is the old no-build page (the cloud's fallback); it must not be copied into the build.
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite --config dashboard/vite.config.ts` against a running `npm start`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
