// Original file: proto/btrdb.proto

import type { SubscriptionUpdateOp as _v5api_SubscriptionUpdateOp, SubscriptionUpdateOp__Output as _v5api_SubscriptionUpdateOp__Output } from '../v5api/SubscriptionUpdateOp.js';

export interface SubscriptionUpdate {
  'op'?: (_v5api_SubscriptionUpdateOp);
  'uuid'?: (Buffer | Uint8Array | string)[];
}

export interface SubscriptionUpdate__Output {
  'op': (_v5api_SubscriptionUpdateOp__Output);
  'uuid': (Buffer)[];
}
