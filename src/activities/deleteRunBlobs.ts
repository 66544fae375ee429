import * as df from 'durable-functions';
import { IntermediateBlobs, intermediateBlobNames } from '../core/checkRun';
import { settings } from '../settings';
import { deleteBlobs } from './storage/blobs';

/**
 * Deletes a check run's target slices and part blobs once its report is assembled (checkSites calls
 * it after assembleCheckReport, never inside it: a redelivered assemble must still find its parts).
 * The names are computed from the run's counts, not listed, so no other run's blobs can match and no
 * List Blobs transaction is paid (billed as "List and Create Container"; Delete Blob is free on GPv2:
 * learn.microsoft.com/azure/storage/blobs/map-rest-apis-transaction-categories). Idempotent: a blob
 * already gone is fine.
 */
df.app.activity('deleteRunBlobs', {
  handler: (input: unknown) =>
    deleteBlobs(settings.reportsContainer(), intermediateBlobNames(IntermediateBlobs.parse(input))),
});
