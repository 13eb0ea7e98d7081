import { en } from 'zod/locales';
import { config } from 'zod/mini';

/*
 * The zod every runtime contract uses: `zod/mini`, whose functional API lets
 * esbuild drop what a function does not use (full `zod` was ~440 KB of every
 * Lambda bundle). Import it as a namespace, `import * as z from './zod'`:
 * esbuild then keeps only the members used, where `import { z } from
 * 'zod/mini'` would keep all of zod/mini, every locale included.
 *
 * Unlike full `zod`, `zod/mini` loads no locale, so its default messages
 * would all read "Invalid input"; loading the English one keeps the messages
 * full zod gives (`Too small: expected string to have >=1 characters`).
 */
config(en());

export * from 'zod/mini';
