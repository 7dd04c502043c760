import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = process.env.GONGDAN_API ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [vue()],
  server: {
    port: 5173,
    // `pnpm dev`: the board on Vite, the API (HTTP and websocket) proxied to the server.
    proxy: { '/graphql': { target: api, ws: true, changeOrigin: true } },
  },
  // One vendor chunk (Element Plus is most of it) behind a login is fine: it is cached
  // across deploys, and splitting it would only add requests to the first paint.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1600 },
});
