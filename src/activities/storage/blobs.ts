import { BlobServiceClient } from '@azure/storage-blob';
import { ManagedIdentityCredential } from '@azure/identity';
import { settings } from '../../settings';

// One client per connection for the life of the worker: the SDK pools sockets per client.
let cached: { key: string; client: BlobServiceClient; containers: Set<string> } | undefined;

function connect(): NonNullable<typeof cached> {
  const connection = settings.storage();
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

export function blobService(): BlobServiceClient {
  return connect().client;
}

export interface BlobLocation {
  container: string;
  blob: string;
}

async function container(name: string) {
  const { client: service, containers } = connect();
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
): Promise<{ url: string; bytes: number }> {
  const body = JSON.stringify(value, null, 2);
  const blob = (await container(location.container)).getBlockBlobClient(location.blob);
  await blob.upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'application/json' },
  });
  return { url: blob.url, bytes: Buffer.byteLength(body) };
}

/** Reads a JSON blob; `undefined` when the blob or its container does not exist. */
export async function readJson(location: BlobLocation): Promise<unknown | undefined> {
  const blob = blobService().getContainerClient(location.container).getBlobClient(location.blob);
  try {
    const buffer = await blob.downloadToBuffer();
    return JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
