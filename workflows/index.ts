/** The workflows a worker registers; the bundle's entry point. */
export { bulkJob } from './job';
export { tenantAssignments } from './tenant';
