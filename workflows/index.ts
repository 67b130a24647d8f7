/** The workflows a worker registers; the bundle's entry point. */
export { bulkJob } from './job';
export { tenantLease } from './lease';
export { tenantAssignments } from './tenant';
