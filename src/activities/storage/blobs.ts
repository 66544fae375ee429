import type { BlobServiceClient } from '@azure/storage-blob';
import { settings } from '../../settings';
import { forEachConcurrently } from './forEachConcurrently';

const isNotFound = (error: unknown) => (error as { statusCode?: number }).statusCode === 404;

// One client per connection for the life of the worker: the SDK pools sockets per client.
let cached: { key: string; client: BlobServiceClient; containers: Set<string> } | undefined;

// The storage and identity SDKs are loaded on first use, not when the worker loads the app: together
// they are about half of the app's load time, and no starter needs them (cold start, BENCHMARKS.md).
let sdks: Promise<[typeof import('@azure/storage-blob'), typeof import('@azure/identity')]> | undefined;
function loadSdks() {
  sdks ??= Promise.all([import('@azure/storage-blob'), import('@azure/identity')]);
  return sdks;
}

async function connect(): Promise<NonNullable<typeof cached>> {
  const connection = settings.storage();
  // Awaited before looking at the cache, so concurrent first calls still share one client.
  const [{ BlobServiceClient }, { ManagedIdentityCredential }] = await loadSdks();
  const key =
    connection.kind === 'connectionString' ? connection.connectionString : connection.blobServiceUri;
  if (cached?.key !== key) {
    const client =
      connection.kind === 'connectionString'
        ? BlobServiceClient.fromConnectionString(connection.connectionString)
        : new BlobServiceClient(
            connection.blobServiceUri,
            connection.clientId
              ? new ManagedIdentityCredential({ clientId: connection.clientId })
              : new ManagedIdentityCredential(),
          );
    cached = { key, client, containers: new Set() };
  }
  return cached;
}

export async function blobService(): Promise<BlobServiceClient> {
  return (await connect()).client;
}

export interface BlobLocation {
  container: string;
  blob: string;
}

async function container(name: string) {
  const { client: service, containers } = await connect();
  const client = service.getContainerClient(name);
  if (!containers.has(name)) {
    await client.createIfNotExists();
    containers.add(name);
  }
  return client;
}

export async function writeJson(
  location: BlobLocation,
  value: unknown,
  options: { compact?: boolean } = {},
): Promise<{ url: string; bytes: number }> {
  // Reports are indented for people reading them; machine-only blobs (target slices) are compact.
  const body = options.compact ? JSON.stringify(value) : JSON.stringify(value, null, 2);
  const blob = (await container(location.container)).getBlockBlobClient(location.blob);
  await blob.upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
  });
  return { url: blob.url, bytes: Buffer.byteLength(body) };
}

/** Reads a JSON blob; `undefined` when the blob or its container does not exist. */
export async function readJson(location: BlobLocation): Promise<unknown | undefined> {
  const blob = (await blobService()).getContainerClient(location.container).getBlobClient(location.blob);
  try {
    const buffer = await blob.downloadToBuffer();
    return JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

// Deletes at once (see forEachConcurrently).
const DELETE_CONCURRENCY = 8;

/**
 * Deletes the named blobs of one container. A blob already gone is no failure (a redelivered
 * activity finds its own earlier work done). Every name is tried even after a failure, so one stuck
 * blob does not leave the rest behind; then it throws, naming how many failed, for the caller's retry.
 */
export async function deleteBlobs(
  containerName: string,
  names: readonly string[],
): Promise<{ deleted: number; absent: number }> {
  const client = (await blobService()).getContainerClient(containerName);
  let deleted = 0;
  let absent = 0;
  const failures: unknown[] = [];
  await forEachConcurrently(names.length, DELETE_CONCURRENCY, async (i) => {
    try {
      await client.deleteBlob(names[i]!);
      deleted++;
    } catch (error) {
      if (isNotFound(error)) absent++;
      else failures.push(error);
    }
  });
  if (failures.length > 0) {
    const first = failures[0] as { statusCode?: number; code?: string };
    const reason = first.code ?? first.statusCode ?? 'no status';
    throw new Error(`${failures.length} of ${names.length} blobs could not be deleted (first: ${reason})`);
  }
  return { deleted, absent };
}

/** Names of the blobs under `prefix` in a container; none when the container does not exist. */
export async function listBlobNames(containerName: string, prefix: string): Promise<string[]> {
  const client = (await blobService()).getContainerClient(containerName);
  const names: string[] = [];
  try {
    for await (const blob of client.listBlobsFlat({ prefix })) names.push(blob.name);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  return names;
}
