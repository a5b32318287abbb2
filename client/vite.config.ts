/**
 * The browser client's build. `npm run build` writes client/dist, which the server serves; `npm run dev
 * -w @bidhall/client` starts Vite's dev server with the API and Socket.IO proxied to a running server.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = process.env.BIDHALL_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite prints every chunk's size and its gzip size: so a growing bundle shows in every build.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
