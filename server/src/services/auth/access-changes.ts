// After a commit that ends someone's credentials or changes their rights, every instance
// is told whose, so it can close the websockets that relied on them (http/socket-credentials.ts).
import type { EventBus } from '../../infra/pubsub/pubsub.ts';

export interface AccessChangeDeps {
  bus: Pick<EventBus, 'publishAccessChanges'>;
  onPublishError?: (e: unknown) => void;
}

/**
 * The change is committed either way: a failed announcement is logged, not thrown. The
 * sockets it should have closed still have every new operation checked.
 */
export async function announceAccessChange(deps: AccessChangeDeps, userId: string): Promise<void> {
  try {
    await deps.bus.publishAccessChanges([{ userId }]);
  } catch (e) {
    deps.onPublishError?.(e);
  }
}
