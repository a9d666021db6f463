// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';

export interface ArrowMultiValuesResponse {
  'stat'?: (_v5api_Status | null);
  'arrowBytes'?: (Buffer | Uint8Array | string);
}

export interface ArrowMultiValuesResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'arrowBytes': (Buffer);
}
