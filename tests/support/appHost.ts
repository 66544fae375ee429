// The Sitewatch app (built into dist/) on tests/host, plus what app tests need around it: an axios
// instance for the API that never throws on a status, and access to the report blobs in Azurite.
import { BlobServiceClient } from '@azure/storage-blob';
import axios, { type AxiosInstance } from 'axios';
import { startHost, type Host, type StartHostOptions } from '../host';

export interface AppHost {
  host: Host;
  api: AxiosInstance;
  readBlob(container: string, blob: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startAppHost(options: StartHostOptions = {}): Promise<AppHost> {
  const host = await startHost({ storage: 'azurite', ...options });
  const api = axios.create({ baseURL: `${host.apiUrl}/`, validateStatus: () => true });
  return {
    host,
    api,
    async readBlob(container, blob) {
      if (!host.storageConnectionString) throw new Error('the host runs without storage');
      const client = BlobServiceClient.fromConnectionString(host.storageConnectionString);
      const buffer = await client.getContainerClient(container).getBlobClient(blob).downloadToBuffer();
      return JSON.parse(buffer.toString('utf8'));
    },
    stop: () => host.stop(),
  };
}
