import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import nextPlugin from '@next/eslint-plugin-next';

// eslint-config-next is not used: its import resolver pulls platform binaries
// that this registry lacks, which breaks `npm ci`. These are the same core rules.
export default defineConfig([
  globalIgnores(['.next/**', '.next-e2e/**', '.standby/**', 'node_modules/**', 'lib/server/generated/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'bench/.tmp/**']),
  ...tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    plugins: { '@next/next': nextPlugin },
    rules: { ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs['core-web-vitals'].rules },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Imports flow one way (STYLE.md habit 1): pages and components may use lib,
    // but lib never imports from app or components.
    files: ['lib/**/*.ts', 'lib/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@/app/*', '@/components/*'], message: 'lib/ must not depend on app/ or components/.' }] }],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
]);
