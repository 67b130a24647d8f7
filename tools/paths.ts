/** Where the project's tooling finds the checkout and writes what it generates. */
import path from 'node:path';

/** The checkout's root folder. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Figures written by the bench and the fault suite (kept in git: the docs are rendered from them). */
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'results');

/** Tools the project installs for itself (Temporal CLI, object store, Node.js), git-ignored. */
export const TOOLS_INSTALL_DIR = path.join(PROJECT_ROOT, '.tools');
