// ESLint flat config: TypeScript rules, Prettier compatibility, and the import boundaries of
// shared/spec/design.md (plugins import only @audit-hub libs; libs never import apps).
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      'bench/results/**',
    ],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/include': ['apps/**/*', 'libs/**/*', 'plugins/**/*', 'test/**/*', 'bench/**/*'],
      'boundaries/elements': [
        { type: 'app', pattern: 'apps/*', capture: ['app'] },
        { type: 'lib', pattern: 'libs/*', capture: ['lib'] },
        { type: 'plugin', pattern: 'plugins/*', capture: ['plugin'] },
        { type: 'test', pattern: 'test' },
        { type: 'bench', pattern: 'bench' },
      ],
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'boundaries/element-types': [
        'error',
        {
          default: 'allow',
          rules: [
            {
              from: 'lib',
              disallow: ['app', 'plugin', 'test', 'bench'],
              message: 'libs never import apps or plugins',
            },
            {
              from: 'plugin',
              disallow: ['app', 'plugin', 'test', 'bench'],
              message: 'plugins import only @audit-hub libs',
            },
          ],
        },
      ],
    },
  },
  {
    // Plugins and libs reach other packages only through their npm names, never framework internals.
    files: ['plugins/**/*.ts', 'libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'bullmq', 'ioredis'],
              message: 'plugins and libs must not depend on NestJS, TypeORM or BullMQ',
            },
            {
              group: ['@audit-hub/plugin-*', '!@audit-hub/plugin-sdk', '!@audit-hub/plugin-sdk/*'],
              message: 'a plugin never imports another plugin',
            },
            { group: ['**/apps/**', '../../apps/*'], message: 'libs and plugins never import apps' },
          ],
        },
      ],
    },
  },
);
