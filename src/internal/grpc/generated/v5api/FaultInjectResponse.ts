// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';

export interface FaultInjectResponse {
  'stat'?: (_v5api_Status | null);
  'rv'?: (Buffer | Uint8Array | string);
}

export interface FaultInjectResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'rv': (Buffer);
}
