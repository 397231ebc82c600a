import tseslint from 'typescript-eslint'

// Layers (ARCHITECTURE.md). Each entry: the folder and what it must not import, beyond the rules for everyone.
const noApp = { regex: '^(#app/|(\\.\\./)+app/)', message: 'Domain modules must not import from app/ (ARCHITECTURE.md).' }
// The seed (demo city, demo organisations, demo-mode state) is loaded only dynamically, and only in demo mode or
// by `db:seed`: no module outside seed/, test/ and bench/ imports it statically.
const noSeed = {
  regex: '^(#seed/|(\\.\\./)+seed/)',
  message: 'No module imports the seed (load it with a dynamic import in demo mode only: ARCHITECTURE.md).',
}
// The simulated source systems are reached only through source-systems/source-systems.ts.
const noSimulated = {
  regex: '^#source-systems/simulated/',
  message: 'Reach the source units through #source-systems/source-systems.ts, never the simulation.',
}
const noPartnerAccess = {
  regex: '^(#partner-access/|(\\.\\./)+partner-access/)',
  message: 'The call pipeline (gateway/) does not depend on partner-access management.',
}
const noGateway = {
  regex: '^(#gateway/|(\\.\\./)+gateway/)',
  message: 'Partner-access management does not depend on the call pipeline (gateway/).',
}
const noFrameworks = { group: ['@remix-run/*', 'express'], message: 'The gateway imports nothing from Remix or Express.' }
const domainUpper = [
  '#catalog/',
  '#gateway/',
  '#partner-access/',
  '#billing/',
  '#supervision/',
  '#disclosure/',
  '#source-systems/',
  '#server/',
  '#cli/',
  '#reporting/',
  '#evaluation/',
  '#sandbox/',
]
const noUpperLayers = {
  regex: `^(${domainUpper.join('|')})`,
  message: 'db/ is the ground floor: schema, client, column helpers and migrations only.',
}
const noDomainsInPlatform = {
  regex: '^(#catalog/|#gateway/|#partner-access/|#billing/|#supervision/|#disclosure/|#sandbox/|#source-systems/|#server/|#cli/)',
  message: 'platform/ is cross-cutting and depends on no domain.',
}

/** @type {Record<string, object[]>} */
const layers = {
  db: [noApp, noSeed, noUpperLayers],
  platform: [noApp, noSeed, noDomainsInPlatform],
  catalog: [noApp, noSeed, noSimulated],
  gateway: [noApp, noSeed, noSimulated, noPartnerAccess, noFrameworks],
  'partner-access': [noApp, noSeed, noSimulated, noGateway],
  billing: [noApp, noSeed, noSimulated],
  supervision: [noApp, noSeed, noSimulated],
  disclosure: [noApp, noSeed, noSimulated],
  reporting: [noApp, noSeed, noSimulated],
  evaluation: [noApp, noSeed, noSimulated],
  sandbox: [noApp, noSeed, noSimulated],
  'source-systems': [noApp, noSeed],
  server: [noApp, noSeed, noSimulated],
  cli: [noApp, noSeed, noSimulated],
  seed: [noApp],
}

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
  ...Object.entries(layers).map(([folder, patterns]) => ({
    files: [`${folder}/**/*.{ts,tsx,mjs}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
  {
    files: ['server.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noApp, noSeed, noSimulated] }] },
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
            noSeed,
            noSimulated,
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
