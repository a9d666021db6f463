// Original file: proto/btrdb.proto

import type { RawPoint as _v5api_RawPoint, RawPoint__Output as _v5api_RawPoint__Output } from '../v5api/RawPoint.js';
import type { MergePolicy as _v5api_MergePolicy, MergePolicy__Output as _v5api_MergePolicy__Output } from '../v5api/MergePolicy.js';
import type { RoundSpec as _v5api_RoundSpec, RoundSpec__Output as _v5api_RoundSpec__Output } from '../v5api/RoundSpec.js';

export interface InsertParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'sync'?: (boolean);
  'values'?: (_v5api_RawPoint)[];
  'merge_policy'?: (_v5api_MergePolicy);
  'rounding'?: (_v5api_RoundSpec | null);
}

export interface InsertParams__Output {
  'uuid': (Buffer);
  'sync': (boolean);
  'values': (_v5api_RawPoint__Output)[];
  'merge_policy': (_v5api_MergePolicy__Output);
  'rounding': (_v5api_RoundSpec__Output | null);
}
