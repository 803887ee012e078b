/**
 * The web console's build (docs/architecture.md "Console"): Preact through Vite, served by local mode
 * at /console/ (lib/local/console-static.ts) and on AWS from S3 behind CloudFront. Each page that
 * needs a heavy library (Chart.js, dagre, the YAML parser) loads it when it is opened, so the first
 * page carries only Preact and the shell.
 */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
});
