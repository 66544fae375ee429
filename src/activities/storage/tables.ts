import type { TableClient } from '@azure/data-tables';
import { settings } from '../../settings';

// One client per table and connection for the life of the worker, like blobs.ts; the SDKs load on
// first use so no starter pays for them at cold start.
let sdks: Promise<[typeof import('@azure/data-tables'), typeof import('@azure/identity')]> | undefined;
function loadSdks() {
  sdks ??= Promise.all([import('@azure/data-tables'), import('@azure/identity')]);
  return sdks;
}

const clients = new Map<string, Promise<TableClient>>();

async function create(table: string): Promise<TableClient> {
  const connection = settings.tableStorage();
  const [{ TableClient }, { ManagedIdentityCredential }] = await loadSdks();
  const client =
    connection.kind === 'connectionString'
      ? TableClient.fromConnectionString(connection.connectionString, table, {
          // Azurite speaks plain http on loopback; Azure connection strings use https anyway.
          allowInsecureConnection: /UseDevelopmentStorage=true|=http:\/\//i.test(connection.connectionString),
        })
      : new TableClient(
          connection.tableServiceUri,
          table,
          connection.clientId
            ? new ManagedIdentityCredential({ clientId: connection.clientId })
            : new ManagedIdentityCredential(),
        );
  try {
    await client.createTable();
  } catch (error) {
    // 409 TableAlreadyExists is the normal case after the first call.
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
  return client;
}

/** The client of one table, created on first use. */
export function tableClient(table: string): Promise<TableClient> {
  const connection = settings.tableStorage();
  const key = `${table}|${connection.kind === 'connectionString' ? connection.connectionString : connection.tableServiceUri}`;
  let client = clients.get(key);
  if (!client) {
    client = create(table);
    // A failed creation (storage not up yet) must not be cached.
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

export function statusCodeOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

/** OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
