// DurableBackend (types.ts) over the store and the scheduler: what the management and rpc APIs call.
import { isFinal, toWireStatus, type Store } from '../store';
import type { DurableBackend, InstanceFilter } from '../types';
import type { Scheduler } from './scheduler';

export function createDurableBackend(store: Store, scheduler: Scheduler): DurableBackend {
  return {
    startNew: (name, options) => scheduler.startNew(name, options),
    getStatus: (instanceId, query) => {
      const record = store.get(instanceId);
      return record && toWireStatus(record, query);
    },
    listStatus: (filter, page = {}) => {
      const all = store.filter(filter);
      const start = page.continuationToken ? Number.parseInt(page.continuationToken, 10) || 0 : 0;
      const top = page.top && page.top > 0 ? page.top : all.length;
      const slice = all.slice(start, start + top);
      const next = start + slice.length;
      return {
        items: slice.map((r) => toWireStatus(r)),
        continuationToken: next < all.length ? String(next) : undefined,
      };
    },
    raiseEvent: (instanceId, eventName, data) => scheduler.raiseEvent(instanceId, eventName, data),
    terminate: (instanceId, reason) => scheduler.terminate(instanceId, reason),
    suspend: (instanceId, reason) => scheduler.suspend(instanceId, reason),
    resume: (instanceId, reason) => scheduler.resume(instanceId, reason),
    purge: (instanceId) => scheduler.purge(instanceId),
    purgeBy: (filter: InstanceFilter) => {
      let deleted = 0;
      // AzureTableTrackingStore.cs:749-762: a status filter keeps only the terminal statuses it lists;
      // without one every instance created in the range is purged, running or not.
      const byStatus = (filter.runtimeStatus?.length ?? 0) > 0;
      for (const r of store.filter(filter))
        if (!byStatus || isFinal(r.runtimeStatus)) deleted += scheduler.purge(r.instanceId);
      return deleted;
    },
  };
}
