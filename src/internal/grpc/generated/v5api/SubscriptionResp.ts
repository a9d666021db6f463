// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';

export interface SubscriptionResp {
  'stat'?: (_v5api_Status | null);
  'uuid'?: (Buffer | Uint8Array | string);
  'arrowBytes'?: (Buffer | Uint8Array | string);
}

export interface SubscriptionResp__Output {
  'stat': (_v5api_Status__Output | null);
  'uuid': (Buffer);
  'arrowBytes': (Buffer);
}
