import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// In `npm run dev` inside a browser, /api calls go to the Vite server; set TILLBRIDGE_API to the
// address of a running `tillbridge serve` (e.g. http://127.0.0.1:8787) to forward them there.
const api = process.env.TILLBRIDGE_API;

// `base: './'` keeps every asset URL relative, so the same build works when Tauri loads it
// from disk (frontendDist) and when `tillbridge serve --ui-dir` serves it over HTTP at `/`.
export default defineConfig({
  base: './',
  plugins: [preact()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    proxy: api ? { '/api': { target: api, changeOrigin: false } } : undefined,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
