// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';

export interface ListCollectionsResponse {
  'stat'?: (_v5api_Status | null);
  'collections'?: (string)[];
}

export interface ListCollectionsResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'collections': (string)[];
}
