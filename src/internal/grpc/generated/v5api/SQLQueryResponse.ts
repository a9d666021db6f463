// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';

export interface SQLQueryResponse {
  'stat'?: (_v5api_Status | null);
  'SQLQueryRow'?: (Buffer | Uint8Array | string)[];
}

export interface SQLQueryResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'SQLQueryRow': (Buffer)[];
}
