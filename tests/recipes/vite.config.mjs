// docs/mock/sessions.md shows this file from line 2: a Vite dev server proxy that adds this developer's session to every API call.
import { defineConfig } from 'vite';
import { userInfo } from 'node:os';

export default defineConfig({
  server: {
    proxy: {
      '/api': {
        target: process.env.MOCK_URL ?? 'http://127.0.0.1:8080',
        headers: { 'X-Mock-Session': `dev-${userInfo().username}` },
      },
    },
  },
});
