// ESLint flat config: JavaScript and typescript-eslint recommended rules over
// the whole repository; generated code and build output are ignored.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "lib/generated/**",
      ".next/**",
      ".next-*/**",
      "node_modules/**",
      "next-env.d.ts",
      ".backscroll/**",
      ".test-home/**",
      "bench/out/**",
      "coverage/**",
      "test-results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.node },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (placeholders, ignored arguments).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["app/**/*.tsx", "app/**/*.ts"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
);
