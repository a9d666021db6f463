// Original file: proto/btrdb.proto

import type { MergePolicy as _v5api_MergePolicy, MergePolicy__Output as _v5api_MergePolicy__Output } from '../v5api/MergePolicy.js';
import type { RoundSpec as _v5api_RoundSpec, RoundSpec__Output as _v5api_RoundSpec__Output } from '../v5api/RoundSpec.js';

export interface ArrowInsertParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'sync'?: (boolean);
  'merge_policy'?: (_v5api_MergePolicy);
  'rounding'?: (_v5api_RoundSpec | null);
  'arrowBytes'?: (Buffer | Uint8Array | string);
}

export interface ArrowInsertParams__Output {
  'uuid': (Buffer);
  'sync': (boolean);
  'merge_policy': (_v5api_MergePolicy__Output);
  'rounding': (_v5api_RoundSpec__Output | null);
  'arrowBytes': (Buffer);
}
