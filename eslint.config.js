import tseslint from 'typescript-eslint'

const domainFolders = ['catalog', 'gateway', 'billing', 'db', 'platform', 'cli', 'server']

export default tseslint.config(
  { ignores: ['build/**', 'public/build/**', 'node_modules/**', '.cache/**', 'api-specs/generated/**', 'test/.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Domain modules never depend on the UI.
  {
    files: domainFolders.map((f) => `${f}/**/*.{ts,tsx}`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(#app/|(\\.\\./)+app/)', message: 'Domain modules must not import from app/ (ARCHITECTURE.md).' },
          ],
        },
      ],
    },
  },
  // The gateway's hot path pays for no UI framework work.
  {
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(#app/|(\\.\\./)+app/)', message: 'Domain modules must not import from app/.' },
            { group: ['@remix-run/*', 'express'], message: 'The gateway imports nothing from Remix or Express.' },
          ],
        },
      ],
    },
  },
  // Routes call domain functions; they never write SQL or touch the schema.
  {
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@remix-run/react',
              importNames: ['Form'],
              message: 'Use Form from #app/components/form.tsx: it carries the CSRF token (ADR 0017).',
            },
          ],
          patterns: [
            { group: ['drizzle-orm', 'drizzle-orm/*', '@libsql/*'], message: 'app/ calls domain functions; no SQL here.' },
            {
              regex: '^(#db/schema/|(\\.\\./)+db/schema/)',
              allowTypeImports: true,
              message: 'app/ must not use the schema (types only).',
            },
          ],
        },
      ],
      // request.formData() answers 500 to a JSON, text or malformed body; readForm answers 4xx.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='formData'][callee.object.name='request']",
          message: 'Read forms with readForm(request) from app/lib/read-form.server.ts (4xx for unexpected bodies).',
        },
      ],
    },
  },
  // The one place Remix's Form is wrapped (with the CSRF token).
  {
    files: ['app/components/form.tsx'],
    rules: { 'no-restricted-imports': 'off' },
  },
)
