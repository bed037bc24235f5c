import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app lives in web/ and is built to web/dist, which the Fastify server serves
 * (src/server/web.ts). In development `npm run dev:web` serves it with hot reload and forwards
 * /api and /docs to a running `npm start` (RENKOU_API, default http://localhost:3000).
 */
const api = process.env.RENKOU_API ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: {
        // React and ECharts change less often than the app: their own files stay cached across
        // releases. ECharts is loaded on first use (components/EChart.tsx). Everything else,
        // Ant Design included, is split by route, so the dashboard's first visit downloads only
        // the components the shell and the dashboard use; the other pages bring their own.
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/api': api, '/docs': api } },
});
