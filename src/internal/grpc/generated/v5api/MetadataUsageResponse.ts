// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { KeyCount as _v5api_KeyCount, KeyCount__Output as _v5api_KeyCount__Output } from '../v5api/KeyCount.js';

export interface MetadataUsageResponse {
  'stat'?: (_v5api_Status | null);
  'tags'?: (_v5api_KeyCount)[];
  'annotations'?: (_v5api_KeyCount)[];
}

export interface MetadataUsageResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'tags': (_v5api_KeyCount__Output)[];
  'annotations': (_v5api_KeyCount__Output)[];
}
